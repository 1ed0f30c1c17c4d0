ALTER TABLE `identities` ADD `union_id` text;--> statement-breakpoint
ALTER TABLE `identities` ADD `tenant_user_id` text;