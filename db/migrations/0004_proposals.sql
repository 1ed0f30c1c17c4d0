CREATE TABLE `proposal_rounds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`proposal_id` integer NOT NULL,
	`round` integer NOT NULL,
	`due_date` text NOT NULL,
	`answer_class` text NOT NULL,
	`answer_date` text NOT NULL,
	`answer_text` text,
	`answered_on_time` integer NOT NULL,
	`evaluation` text NOT NULL,
	`evaluated_date` text NOT NULL,
	FOREIGN KEY (`proposal_id`) REFERENCES `proposals`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `proposal_rounds_proposal` ON `proposal_rounds` (`proposal_id`);--> statement-breakpoint
CREATE TABLE `proposal_units` (
	`proposal_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`lead` integer NOT NULL,
	PRIMARY KEY(`proposal_id`, `unit_id`),
	FOREIGN KEY (`proposal_id`) REFERENCES `proposals`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `proposal_units_unit` ON `proposal_units` (`unit_id`,`lead`);--> statement-breakpoint
CREATE TABLE `proposals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reg_no` text NOT NULL,
	`kind` text NOT NULL,
	`year` integer NOT NULL,
	`number` integer NOT NULL,
	`title` text NOT NULL,
	`proposers` text NOT NULL,
	`assigned_date` text NOT NULL,
	`due_date` text NOT NULL,
	`status` text NOT NULL,
	`round` integer DEFAULT 1 NOT NULL,
	`first_answer_on_time` integer,
	`answer_class` text,
	`answer_date` text,
	`answer_text` text,
	`answered_on_time` integer,
	`evaluation` text,
	`evaluated_date` text,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `proposals_reg_no_unique` ON `proposals` (`reg_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `proposals_kind_year_number` ON `proposals` (`kind`,`year`,`number`);--> statement-breakpoint
CREATE INDEX `proposals_year_status` ON `proposals` (`kind`,`year`,`status`);--> statement-breakpoint
CREATE INDEX `proposals_due` ON `proposals` (`status`,`due_date`);