// The year's holidays from the State Council's notice: 节假日导入 shows what the notice says and
// changes, 节假日导入确认 makes it the calendar.
import { z } from 'zod';
import { formatChineseDate, isoWeekday } from '../src/lib/dates';
import { card, type Card, type Reply } from '../src/lib/reply';
import type { Day } from '../src/services/calendar';
import type { CalendarAdopted, CalendarPreview, MovedDeadline } from '../src/services/calendar-changes';
import { defineCommand } from './kit/define';
import { textField } from './kit/fields';

const WEEKDAY = '一二三四五六日';
const short = (date: string) => `${formatChineseDate(date, false)}（周${WEEKDAY[isoWeekday(date) - 1]}）`;
const state = (d: Day) => (d.workday ? (d.holiday ? `上班（${d.holiday}调休）` : '工作日') : d.holiday ? `放假（${d.holiday}）` : '休息日');
const LISTED = 40;

/** A run of consecutive dates as 1月1日—1月3日. */
function ranges(dates: string[]): string {
  const runs: string[][] = [];
  for (const d of dates) {
    const last = runs.at(-1);
    if (last && Date.parse(d) - Date.parse(last.at(-1)!) === 86_400_000) last.push(d);
    else runs.push([d]);
  }
  return runs.map((r) => (r.length === 1 ? formatChineseDate(r[0]!, false) : `${formatChineseDate(r[0]!, false)}—${formatChineseDate(r.at(-1)!, false)}`)).join('、');
}

const movedLine = (m: MovedDeadline) => `${m.regNo} ${m.title}：${formatChineseDate(m.from)} → ${formatChineseDate(m.to)}${m.note ?? ''}`;

/** What a notice says and would change, for the admin to check before confirming. */
export function calendarPreviewCard(p: CalendarPreview): Card {
  const total = p.months.reduce((a, b) => a + b, 0);
  const lines = [
    ...p.holidays.map((h) => `**${h.name}**：${ranges(h.off)} 放假，共 ${h.off.length} 天${h.work.length ? `；${h.work.map(short).join('、')} 上班` : ''}`),
    ...p.advisory.map((a) => `未计入（倡议，不改变工作日）：${a}`),
    `**每月工作日**：${p.months.map((n, i) => `${i + 1}月 ${n}`).join('｜')}｜全年 ${total}`,
    p.wasUnknown ? `现在 ${p.year} 年没有节假日数据，按周一至周五计算。` : '',
    p.changes.length === 0
      ? '与现有日历一致，没有哪一天变化。'
      : `**与现有日历不同的 ${p.changes.length} 天**（现在 → 导入后）：`,
    ...p.changes.slice(0, LISTED).map((c) => `${short(c.date)}：${state(c.before)} → ${state(c.after)}`),
    ...(p.changes.length > LISTED ? [`……另有 ${p.changes.length - LISTED} 天`] : []),
    ...(p.overrides.length ? [`确认后不再适用的节假日设置：${p.overrides.map((o) => `${formatChineseDate(o.date)}${o.workday ? '班' : '休'}`).join('、')}`] : []),
    p.moved.length
      ? `**确认后将调整办理时限的在办事项 ${p.moved.length} 件**（按工作日计算的时限）：`
      : '没有在办事项的办理时限需要调整。',
    ...p.moved.slice(0, LISTED).map(movedLine),
    ...(p.moved.length > LISTED ? [`……另有 ${p.moved.length - LISTED} 件`] : []),
    `核对无误请点「确认导入」（或发送「节假日导入确认 ${p.id}」）。`,
  ].filter(Boolean);
  return {
    title: `${p.year}年节假日安排（待确认，导入 ${p.id}）`,
    tone: 'warning',
    lines,
    actions: [{ label: '确认导入', command: `节假日导入确认 ${p.id}` }],
  };
}

export function calendarAdoptedCard(a: CalendarAdopted): Card {
  return {
    title: `已导入${a.year}年节假日安排`,
    tone: 'success',
    lines: [
      `工作日计算即刻按新安排进行（与之前不同的有 ${a.changes} 天）。`,
      a.moved.length ? `已重新计算 ${a.moved.length} 件在办事项的办理时限，并通知了 ${a.told} 位承办单位联络员和登记人。` : '没有在办事项的办理时限需要调整。',
      ...a.moved.slice(0, LISTED).map(movedLine),
    ],
  };
}

/** To admins, weekly from 1 November while a year the bot will count in has no holiday data. */
export function calendarMissingCard(years: number[]): Card {
  const list = years.join('、');
  return {
    title: `${list}年节假日安排尚未导入`,
    tone: 'danger',
    lines: [
      `机器人还没有 ${list} 年的法定节假日和调休安排，这一年的工作日暂按周一至周五计算：按工作日给出的办理时限会算到节假日上，提醒也会在节假日发出。`,
      `国务院办公厅每年 11 月前后发布《关于${years.at(-1)}年部分节假日安排的通知》。发布后请私聊机器人发送「节假日导入」并粘贴通知全文（标题和各条放假安排），核对后点「确认导入」；也可在控制台「节假日」页导入。`,
      '导入后，按工作日给出的办理时限会自动重新计算并通知相关单位。本提醒每周一次，导入后停止。',
    ],
  };
}

export const importCalendar = defineCommand({
  names: ['节假日导入', 'calendar import'],
  group: '管理',
  right: 'admin',
  summary: '粘贴国务院办公厅《关于某年部分节假日安排的通知》全文，核对后导入为该年的工作日安排',
  verbatim: '通知',
  fields: z.object({ 通知: textField(20_000) }),
  example: '节假日导入 国务院办公厅关于2027年部分节假日安排的通知 …… 一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。……（粘贴全文）',
  run: async (ctx, f): Promise<Reply> => card(calendarPreviewCard(await ctx.services.calendarChanges.read(f.通知, ctx.actor))),
});

export const confirmCalendar = defineCommand({
  names: ['节假日导入确认', 'calendar confirm'],
  group: '管理',
  right: 'admin',
  summary: '确认「节假日导入」预览的安排，存为该年日历并重新计算按工作日给出的办理时限',
  args: ['编号'],
  fields: z.object({ 编号: z.coerce.number({ error: '应为导入编号（数字）' }).int({ error: '应为导入编号（数字）' }).positive({ error: '应为导入编号（数字）' }) }),
  example: '节假日导入确认 3',
  run: async (ctx, f): Promise<Reply> => card(calendarAdoptedCard(await ctx.services.calendarChanges.confirm(f.编号, ctx.actor))),
});

export const calendarCommands = [importCalendar, confirmCalendar];
