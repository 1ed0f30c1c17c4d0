ALTER TABLE "identities" ADD COLUMN "union_id" text;--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "tenant_user_id" text;