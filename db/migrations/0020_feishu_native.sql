CREATE TABLE `message_reads` (
	`platform` text NOT NULL,
	`message_id` text NOT NULL,
	`user_id` text NOT NULL,
	`read_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `message_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `message_reads_read` ON `message_reads` (`read_at`);--> statement-breakpoint
CREATE TABLE `org_snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`status` text NOT NULL,
	`requested_at` integer NOT NULL,
	`requested_by` text DEFAULT '[]' NOT NULL,
	`claimed_at` integer,
	`read_at` integer,
	`departments` text,
	`error` text,
	`applied_at` integer,
	`applied_by` text
);
--> statement-breakpoint
CREATE INDEX `org_snapshots_platform` ON `org_snapshots` (`platform`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `sent_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`message_id` text NOT NULL,
	`outbox_id` integer NOT NULL,
	`user_id` text,
	`chat_id` text,
	`subject` text,
	`sent_at` integer NOT NULL,
	`commands` text,
	`unit_id` integer,
	`subjects` text,
	`escalated` integer DEFAULT 0 NOT NULL,
	`escalated_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sent_messages_message` ON `sent_messages` (`platform`,`message_id`);--> statement-breakpoint
CREATE INDEX `sent_messages_subject` ON `sent_messages` (`subject`,`sent_at`);--> statement-breakpoint
CREATE INDEX `sent_messages_sent` ON `sent_messages` (`sent_at`);--> statement-breakpoint
CREATE INDEX `sent_messages_unit` ON `sent_messages` (`unit_id`,`sent_at`);--> statement-breakpoint
CREATE TABLE `urgent_alerts` (
	`platform` text NOT NULL,
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`message_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`platform`, `user_id`, `key`)
);
--> statement-breakpoint
ALTER TABLE `units` ADD `lark_department_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `units_lark_department_id_unique` ON `units` (`lark_department_id`);