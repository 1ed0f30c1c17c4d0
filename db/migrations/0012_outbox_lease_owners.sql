CREATE TABLE `outbox_owners` (
	`owner` text PRIMARY KEY NOT NULL,
	`heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `outbox` ADD `lease_owner` text;