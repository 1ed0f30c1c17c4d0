DROP INDEX `documents_closed`;--> statement-breakpoint
DROP INDEX `documents_in_period`;--> statement-breakpoint
ALTER TABLE `documents` ADD `handling_workdays` integer;--> statement-breakpoint
CREATE INDEX `documents_closed` ON `documents` (`status`,`closed_date`,`closed_on_time`,`handling_workdays`);--> statement-breakpoint
CREATE INDEX `documents_in_period` ON `documents` (`direction`,`doc_date`,`urgency`,`assigned_date`);--> statement-breakpoint
CREATE INDEX `supervision_feedback_date` ON `supervision_feedback` (`date`,`item_id`);--> statement-breakpoint
CREATE INDEX `supervision_started` ON `supervision_items` (`start_date`,`source`);--> statement-breakpoint
CREATE INDEX `supervision_closed` ON `supervision_items` (`status`,`closed_date`,`closed_on_time`);