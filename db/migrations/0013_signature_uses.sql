CREATE TABLE `signature_uses` (
	`platform` text NOT NULL,
	`signed_at` integer NOT NULL,
	`message_id` text NOT NULL,
	PRIMARY KEY(`platform`, `signed_at`)
);
