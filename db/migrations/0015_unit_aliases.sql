CREATE TABLE `unit_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`unit_id` integer NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `unit_aliases_unit` ON `unit_aliases` (`unit_id`);