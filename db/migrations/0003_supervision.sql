CREATE TABLE `supervision_extensions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` integer NOT NULL,
	`requested_by` integer,
	`requester` text NOT NULL,
	`requested_at` integer NOT NULL,
	`old_deadline` text NOT NULL,
	`new_deadline` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`decided_by` integer,
	`decided_at` integer,
	`decision_reason` text,
	FOREIGN KEY (`item_id`) REFERENCES `supervision_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `supervision_extensions_item` ON `supervision_extensions` (`item_id`,`status`);--> statement-breakpoint
CREATE TABLE `supervision_feedback` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` integer NOT NULL,
	`person_id` integer,
	`author` text NOT NULL,
	`at` integer NOT NULL,
	`date` text NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `supervision_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `supervision_feedback_item` ON `supervision_feedback` (`item_id`);--> statement-breakpoint
CREATE TABLE `supervision_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reg_no` text NOT NULL,
	`year` integer NOT NULL,
	`seq` integer NOT NULL,
	`title` text NOT NULL,
	`source` text NOT NULL,
	`leader_id` integer,
	`instruction` text,
	`start_date` text NOT NULL,
	`deadline` text NOT NULL,
	`feedback_cycle` text NOT NULL,
	`status` text NOT NULL,
	`last_feedback_date` text,
	`closed_at` integer,
	`closed_date` text,
	`closed_on_time` integer,
	`result` text,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`leader_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `supervision_items_reg_no_unique` ON `supervision_items` (`reg_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `supervision_kind_seq` ON `supervision_items` (`year`,`seq`);--> statement-breakpoint
CREATE INDEX `supervision_open_deadline` ON `supervision_items` (`status`,`deadline`);--> statement-breakpoint
CREATE TABLE `supervision_units` (
	`item_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`lead` integer NOT NULL,
	PRIMARY KEY(`item_id`, `unit_id`),
	FOREIGN KEY (`item_id`) REFERENCES `supervision_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `supervision_units_unit` ON `supervision_units` (`unit_id`);