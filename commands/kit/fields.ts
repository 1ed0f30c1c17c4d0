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
function dateOf(text: string, ctx: z.core.$RefinementCtx): LocalDate | typeof z.NEVER {
  const date = parseDateText(text, currentDateContext());
  if (date !== null) return date;
  ctx.issues.push({ code: 'custom', input: text, message: `无法识别日期「${text}」，可以写：${DATE_FORMS_HINT}` });
  return z.NEVER;
}

export const localDate = z.string().transform(dateOf);

/** A deadline as typed: its date, and when it was given as N个工作日 the count, which a new holiday calendar recounts. */
export interface Deadline {
  date: LocalDate;
  workdays: WorkdayCount | null;
}

export const isDeadline = (value: unknown): value is Deadline => typeof value === 'object' && value !== null && 'date' in value && 'workdays' in value;

export const deadline = z.string().transform((text, ctx): Deadline => ({ date: dateOf(text, ctx), workdays: parseWorkdayCount(text, currentDateContext()) }));

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
