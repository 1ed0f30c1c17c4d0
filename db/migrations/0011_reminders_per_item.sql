PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_reminders_sent` (
	`date` text NOT NULL,
	`ref` text NOT NULL,
	`kind` text NOT NULL,
	PRIMARY KEY(`date`, `ref`, `kind`)
);
--> statement-breakpoint
INSERT OR IGNORE INTO `__new_reminders_sent`("date", "ref", "kind") SELECT "date", "ref", "kind" FROM `reminders_sent`;--> statement-breakpoint
DROP TABLE `reminders_sent`;--> statement-breakpoint
ALTER TABLE `__new_reminders_sent` RENAME TO `reminders_sent`;--> statement-breakpoint
PRAGMA foreign_keys=ON;