CREATE TABLE `reminders_sent` (
	`ref` text NOT NULL,
	`kind` text NOT NULL,
	`date` text NOT NULL,
	`person_id` integer NOT NULL,
	PRIMARY KEY(`date`, `person_id`, `ref`, `kind`),
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
