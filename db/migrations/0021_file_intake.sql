CREATE TABLE `received_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`purpose` text NOT NULL,
	`status` text NOT NULL,
	`platform` text NOT NULL,
	`handle` text,
	`reply_to` text,
	`event_id` text NOT NULL,
	`person_id` integer,
	`name` text NOT NULL,
	`size` integer,
	`pages` integer,
	`format` text,
	`sha256` text,
	`kept_path` text,
	`document_id` integer,
	`feedback_id` integer,
	`refusal` text,
	`received_at` integer NOT NULL,
	`claimed_at` integer,
	`settled_at` integer,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`feedback_id`) REFERENCES `supervision_feedback`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `received_files_pending` ON `received_files` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `received_files_sha256` ON `received_files` (`sha256`);--> statement-breakpoint
CREATE INDEX `received_files_document` ON `received_files` (`document_id`);--> statement-breakpoint
CREATE INDEX `received_files_feedback` ON `received_files` (`feedback_id`);