CREATE TABLE `export_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`year` integer NOT NULL,
	`person_id` integer NOT NULL,
	`unit_id` integer,
	`status` text NOT NULL,
	`file` text,
	`error` text,
	`requested_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `export_requests_pending` ON `export_requests` (`status`,`id`);