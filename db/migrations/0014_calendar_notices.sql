CREATE TABLE `calendar_notices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`year` integer NOT NULL,
	`holidays` text NOT NULL,
	`status` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`confirmed_by` integer,
	`confirmed_at` integer,
	FOREIGN KEY (`created_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`confirmed_by`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `calendar_notices_status` ON `calendar_notices` (`status`,`year`);--> statement-breakpoint
ALTER TABLE `documents` ADD `due_workdays` integer;--> statement-breakpoint
ALTER TABLE `documents` ADD `due_counted_from` text;--> statement-breakpoint
ALTER TABLE `proposals` ADD `due_workdays` integer;--> statement-breakpoint
ALTER TABLE `proposals` ADD `due_counted_from` text;--> statement-breakpoint
ALTER TABLE `supervision_items` ADD `deadline_workdays` integer;--> statement-breakpoint
ALTER TABLE `supervision_items` ADD `deadline_counted_from` text;