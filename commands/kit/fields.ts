// Field types shared by the command declarations, and the field-name aliases staff use.
import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import type { LocalDate, WorkdayCount } from '../../src/lib/dates';
import { isSecret, SECRET_REFUSAL } from '../../src/services/documents';
import { DATE_FORMS_HINT, parseDateText, parseWorkdayCount, type DateContext } from './dates';

// Relative dates (明天, 5个工作日) need today and the working-day calendar while zod parses;
// the engine provides them around each validation.
const dateContext = new AsyncLocalStorage<DateContext>();

export function withDateContext<T>(ctx: DateContext, fn: () => T): T {
  return dateContext.run(ctx, fn);
}

function currentDateContext(): DateContext {
  const dc = dateContext.getStore();
  if (!dc) throw new Error('a date parsed outside withDateContext');
  return dc;
}

/** The date a text names, or an issue on the field saying which forms are understood. */
function dateOf(text: string, ctx: z.core.$RefinementCtx): LocalDate | null {
  const date = parseDateText(text, currentDateContext());
  if (date === null) ctx.issues.push({ code: 'custom', input: text, message: `无法识别日期「${text}」，可以写：${DATE_FORMS_HINT}` });
  return date;
}

export const localDate = z.string().transform((text, ctx) => dateOf(text, ctx) ?? z.NEVER);

/**
 * A deadline as typed: its date; when it was given as N个工作日 the count, which a new holiday
 * calendar recounts; and whether the sender wrote 已逾期, confirming that it has passed.
 */
export interface Deadline {
  date: LocalDate;
  workdays: WorkdayCount | null;
  pastConfirmed: boolean;
}

export const isDeadline = (value: unknown): value is Deadline => typeof value === 'object' && value !== null && 'date' in value && 'workdays' in value;

/**
 * A deadline read as a past day is refused with the date it was read as: 本周五 said on a
 * Saturday would otherwise register an item already overdue without a word. The refusal is
 * worded by the validation, which knows the field's name (see deadlineRefusal).
 */
export interface DeadlineIssue {
  deadline: 'past' | 'past-final' | 'not-past';
  date: LocalDate;
  today: LocalDate;
}

const PAST_MARKER = /[（(]?已逾期[）)]?$/;

/**
 * What a day already gone means for a deadline field:
 * - confirm: refused unless the sender adds 已逾期 (a 收文 that arrived or is handled late);
 * - refuse: always refused (a 督办 item runs from today; an extension cannot end in the past);
 * - record: taken as given, for a record of what was assigned earlier: 答复期限 is checked
 *   against its own 交办日期 instead, which may lie in the past (a past session's ledger).
 */
function pastIssue(past: 'confirm' | 'refuse' | 'record', gone: boolean, confirmed: boolean): DeadlineIssue['deadline'] | null {
  if (past === 'record') return null;
  if (!gone) return confirmed ? 'not-past' : null;
  if (past === 'refuse') return 'past-final';
  return confirmed ? null : 'past';
}

function deadlineField(past: 'confirm' | 'refuse' | 'record') {
  return z.string().transform((typed, ctx): Deadline => {
    const dc = currentDateContext();
    const pastConfirmed = PAST_MARKER.test(typed.trim());
    const text = typed.trim().replace(PAST_MARKER, '');
    const date = dateOf(text, ctx);
    if (date === null) return z.NEVER;
    const issue = pastIssue(past, date < dc.today, pastConfirmed);
    if (issue) {
      const params: DeadlineIssue = { deadline: issue, date, today: dc.today };
      ctx.issues.push({ code: 'custom', input: typed, message: `读作 ${date}`, params });
      return z.NEVER;
    }
    return { date, workdays: parseWorkdayCount(text, dc), pastConfirmed };
  });
}

/** 办理时限 of a 收文: a past one only with 已逾期 (办理时限=2026-11-27 已逾期). */
export const deadline = deadlineField('confirm');
/** What 帮助 says of such a field. */
export const PAST_DEADLINE_NOTE = '已过去的日期须加「已逾期」，例如 2026-11-27 已逾期';
/** 督办 时限 and 新时限: today or later. */
export const futureDeadline = deadlineField('refuse');
/** 答复期限: as recorded; the service holds it between the 交办日期 and six months after. */
export const recordedDeadline = deadlineField('record');

/** 「办理时限」读作 2026-11-27（已经过去）… — the field's refusal, naming it and showing what to write. */
export function deadlineRefusal(field: string, issue: DeadlineIssue): string {
  const read = `「${field}」读作 ${issue.date}`;
  if (issue.deadline === 'not-past') return `${read}，还没有到期，请去掉「已逾期」`;
  const later = `今天（${issue.today}）或以后的日期`;
  if (issue.deadline === 'past-final') return `${read}（已经过去），应为${later}`;
  return `${read}（已经过去）。确已逾期的请写明，例如 ${field}=${issue.date} 已逾期；否则请写${later}`;
}

/** A free-text value; blank counts as missing. */
export const textField = (max = 500) =>
  z
    .string()
    .trim()
    .min(1, { error: '不能为空' })
    .max(max, { error: `太长了（最多 ${max} 字）` });

export const URGENCIES = ['特急', '加急', '平件'] as const;
export const urgency = z.enum(URGENCIES, { error: `应为 ${URGENCIES.join('/')} 之一` });

/**
 * 密级 is free text so that 机密★1年 is recognised too. A secret level fails validation with a
 * `forget` flag: the engine then keeps nothing of the message, even when other fields are bad.
 */
export const secrecy = z
  .string()
  .trim()
  .default('无')
  .check((ctx) => {
    if (isSecret(ctx.value)) ctx.issues.push({ code: 'custom', input: ctx.value, message: SECRET_REFUSAL, params: { forget: true }, continue: true });
  });

/** Names that mean the same field. A command declares one member; any member is accepted for it. */
const ALIAS_GROUPS: readonly (readonly string[])[] = [
  ['标题', '题目', '文件标题', '名称标题'],
  ['文号', '发文字号', '字号', '文件编号'],
  ['来文单位', '来文机关', '来文'],
  ['紧急程度', '缓急', '紧急', '急缓程度'],
  ['密级', '秘密等级'],
  ['收文日期', '收文时间'],
  ['成文日期', '印发日期', '发文日期'],
  ['办理时限', '时限', '期限', '截止日期', '办结时限'],
  ['承办单位', '办理单位'],
  ['主送', '主送单位', '主送机关'],
  ['拟稿单位', '起草单位'],
  ['备注', '说明'],
  ['结果', '办理结果', '办结结果'],
  ['批示领导', '领导'],
  ['批示内容', '批示'],
  ['牵头单位', '主办单位', '牵头'],
  ['配合单位', '协办单位', '配合'],
  ['反馈周期', '周期'],
  ['新时限', '延至', '延期至'],
  ['理由', '原因'],
  ['代表', '代表姓名', '领衔代表', '提出人'],
  ['委员', '委员姓名', '提案人', '提出人'],
  ['交办日期', '交办时间'],
  ['答复期限', '答复时限'],
  ['答复日期', '答复时间'],
  ['类别', '答复类别'],
  ['内容', '答复内容', '正文'],
  ['角色', '身份'],
  ['单位', '所属单位'],
];

/** The field the command declares for a name the user typed, or null. */
export function canonicalField(declared: readonly string[], typed: string): string | null {
  const key = typed.trim().toLowerCase();
  const direct = declared.find((d) => d.toLowerCase() === key);
  if (direct) return direct;
  for (const group of ALIAS_GROUPS.filter((g) => g.includes(key))) {
    const field = declared.find((d) => group.includes(d));
    if (field) return field;
  }
  return null;
}
