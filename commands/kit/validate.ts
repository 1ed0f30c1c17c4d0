// Turning raw field text into a command's typed fields, with Chinese messages that name the
// field. Shared by the engine (chat) and the spreadsheet import, so both refuse alike.
import type { z } from 'zod';
import type { AnyCommand } from './define';
import { deadlineRefusal, withDateContext, type DeadlineIssue } from './fields';
import type { DateContext } from './dates';

export type Validated = { ok: true; data: Record<string, unknown> } | { ok: false; error: string; forget: boolean };

/** 缺少「来文单位」; 「紧急程度」应为 特急/加急/平件 之一. */
function describeIssue(issue: z.core.$ZodIssue, given: Record<string, string>): string {
  const field = String(issue.path[0] ?? '');
  if (field && !(field in given)) return `缺少「${field}」`;
  const deadline = issue.code === 'custom' ? (issue.params as DeadlineIssue | undefined) : undefined;
  if (field && deadline?.deadline) return deadlineRefusal(field, deadline);
  return field ? `「${field}」${issue.message}` : issue.message;
}

export function validateFields(def: AnyCommand, given: Record<string, string>, dates: DateContext): Validated {
  const result = withDateContext(dates, () => def.fields.safeParse(given));
  if (result.success) return { ok: true, data: result.data as Record<string, unknown> };
  const issues: z.core.$ZodIssue[] = result.error.issues;
  // a secret document's refusal stands alone, and the request must leave no trace
  const secret = issues.find((i) => i.code === 'custom' && i.params?.['forget']);
  if (secret) return { ok: false, error: secret.message, forget: true };
  return { ok: false, error: issues.map((i) => describeIssue(i, given)).join('；'), forget: false };
}
