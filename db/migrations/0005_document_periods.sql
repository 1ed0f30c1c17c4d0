ALTER TABLE `documents` ADD `assigned_date` text;--> statement-breakpoint
CREATE INDEX `documents_closed` ON `documents` (`status`,`closed_date`);--> statement-breakpoint
CREATE INDEX `documents_in_period` ON `documents` (`direction`,`doc_date`);