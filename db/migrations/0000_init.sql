CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`person_id` integer,
	`chat` text,
	`action` text NOT NULL,
	`target` text,
	`before` text,
	`after` text
);
--> statement-breakpoint
CREATE INDEX `audit_target` ON `audit_log` (`target`);--> statement-breakpoint
CREATE TABLE `calendar_overrides` (
	`date` text PRIMARY KEY NOT NULL,
	`workday` integer NOT NULL,
	`set_by` integer,
	`set_at` integer NOT NULL,
	FOREIGN KEY (`set_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `chats` (
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`type` text NOT NULL,
	`title` text,
	`enabled_groups` text DEFAULT '[]' NOT NULL,
	`subscriptions` text DEFAULT '[]' NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `chat_id`)
);
--> statement-breakpoint
CREATE TABLE `counters` (
	`kind` text NOT NULL,
	`year` integer NOT NULL,
	`last` integer NOT NULL,
	PRIMARY KEY(`kind`, `year`)
);
--> statement-breakpoint
CREATE TABLE `documents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reg_no` text NOT NULL,
	`direction` text NOT NULL,
	`year` integer NOT NULL,
	`seq` integer NOT NULL,
	`title` text NOT NULL,
	`doc_number` text,
	`doc_number_key` text,
	`source_unit` text,
	`recipients` text,
	`drafting_unit` text,
	`urgency` text NOT NULL,
	`doc_date` text NOT NULL,
	`due_date` text,
	`handling_unit_id` integer,
	`remarks` text,
	`status` text NOT NULL,
	`assigned_at` integer,
	`closed_at` integer,
	`closed_date` text,
	`closed_on_time` integer,
	`result` text,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`handling_unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_reg_no_unique` ON `documents` (`reg_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `documents_kind_seq` ON `documents` (`direction`,`year`,`seq`);--> statement-breakpoint
CREATE INDEX `documents_doc_number` ON `documents` (`direction`,`doc_number_key`);--> statement-breakpoint
CREATE INDEX `documents_open_due` ON `documents` (`status`,`due_date`);--> statement-breakpoint
CREATE INDEX `documents_unit` ON `documents` (`handling_unit_id`,`status`);--> statement-breakpoint
CREATE TABLE `identities` (
	`platform` text NOT NULL,
	`user_id` text NOT NULL,
	`person_id` integer NOT NULL,
	`last_seen_at` integer,
	PRIMARY KEY(`platform`, `user_id`),
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `identities_person` ON `identities` (`person_id`);--> statement-breakpoint
CREATE TABLE `inbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`event_id` text NOT NULL,
	`message_id` text,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`received_at` integer NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_event` ON `inbox` (`platform`,`event_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_message` ON `inbox` (`platform`,`message_id`) WHERE message_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `inbox_pending` ON `inbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `inbox_received` ON `inbox` (`received_at`);--> statement-breakpoint
CREATE TABLE `job_runs` (
	`job` text NOT NULL,
	`slot` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`summary` text,
	PRIMARY KEY(`job`, `slot`)
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dedupe_key` text NOT NULL,
	`platform` text NOT NULL,
	`conversation` text NOT NULL,
	`target` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe_key_unique` ON `outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_conversation` ON `outbox` (`conversation`,`status`);--> statement-breakpoint
CREATE TABLE `people` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`role` text,
	`unit_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `unit_contacts` (
	`unit_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	PRIMARY KEY(`unit_id`, `person_id`),
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `units` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`short_name` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `units_name_unique` ON `units` (`name`);