import { z } from 'zod';
import { daysBetween, formatLocalDateTime, type LocalDate } from '../src/lib/dates';
import { card, type Reply, type Tone } from '../src/lib/reply';
import { UserError } from '../src/services/errors';
import { parseIdentity } from '../src/services/people';
import { ITEM_STATUS } from '../src/services/ledgers';
import type { ItemDetail, ItemList, ItemView } from '../src/services/supervision';
import { WARNING_LABELS, type Warning } from '../src/services/supervision-rules';
import { defineCommand, type CommandContext } from './kit/define';
import { futureDeadline, textField } from './kit/fields';
import { describeFile } from './views';

const SOURCES = ['领导批示', '常务会议', '重点工作', '问题清单'] as const;
const CYCLES = ['一次', '每周', '每月'] as const;
const TONE: Record<Warning, Tone> = { green: 'success', yellow: 'warning', red: 'danger' };
const number = textField(30);

function timeLeft(item: ItemView, today: LocalDate): string {
  if (item.status === 'closed') return `已于 ${item.closedDate} 办结${item.closedOnTime ? '（按时）' : '（超期）'}`;
  const left = daysBetween(today, item.deadline);
  return left > 0 ? `剩 ${left} 天` : left === 0 ? '今天到期' : `已逾期 ${-left} 天`;
}

export function itemCard(item: ItemDetail, today: LocalDate, heading: string | undefined, tz: string): Reply {
  const open = item.status !== 'closed';
  const pending = item.extensions.find((e) => e.status === 'pending');
  return card({
    title: heading ? `${heading}：${item.regNo}` : item.regNo,
    about: `supervision:${item.regNo}`,
    tone: open ? TONE[item.warning] : 'success',
    lines: [
      `**${item.title}**`,
      ...(item.instruction ? [`批示：${item.instruction}`] : []),
      ...(item.feedback.length
        ? ['**反馈记录（新的在前）**', ...item.feedback.map((f) => `${formatLocalDateTime(f.at, tz)} ${f.author}：${f.text}${f.files.length ? `（佐证：${f.files.map(describeFile).join('；')}）` : ''}`)]
        : ['还没有反馈。']),
      ...item.extensions.map((e) => `延期申请 ${e.oldDeadline} → ${e.newDeadline}（${e.requester}，理由：${e.reason}）：${{ pending: '待审批', approved: '已批准', rejected: '已驳回' }[e.status]}${e.decisionReason ? `，${e.decisionReason}` : ''}`),
    ],
    fields: [
      ['状态', open && today > item.deadline ? '已逾期' : ITEM_STATUS[item.status]],
      ['预警', open ? WARNING_LABELS[item.warning] : '—'],
      ['时限', `${item.deadline}（${timeLeft(item, today)}）`],
      ['来源', item.source],
      ['批示领导', item.leaderName ?? '—'],
      ['牵头单位', item.leadUnitName],
      ['配合单位', item.coUnitNames.join('、') || '—'],
      ['反馈周期', item.feedbackCycle],
      ...(open ? [['下次反馈', `${item.nextFeedbackDue}${item.feedbackLate ? '（已超期未反馈）' : ''}`] as [string, string]] : []),
      ...(item.result ? [['办结情况', item.result] as [string, string]] : []),
    ],
    actions: open
      ? [
          ...(pending ? [{ label: '批准延期', command: `督办批准 ${item.regNo}` }] : []),
          { label: '办结', command: `督办办结 ${item.regNo}` },
        ]
      : [],
  });
}

function listCard(list: ItemList, title: string, today: LocalDate, empty: string): Reply {
  if (list.total === 0) return { text: empty };
  const shown = list.total > list.items.length ? `，显示前 ${list.items.length} 件` : '';
  return card({
    title: `${title}：共 ${list.total} 件${shown}`,
    tone: list.items.some((i) => i.status !== 'closed' && i.warning === 'red') ? 'danger' : 'info',
    lines: list.items.map(
      (i) => `${i.regNo}【${i.status === 'closed' ? '已办结' : WARNING_LABELS[i.warning]}】${i.title}｜${i.leadUnitName}｜${i.deadline} ${timeLeft(i, today)}`,
    ),
    actions: list.items.slice(0, 3).map((i) => ({ label: `查看 ${i.regNo}`, command: `督办查询 ${i.regNo}` })),
  });
}

/** 批示领导: @某人, 平台:用户ID, or the name of someone holding the 领导 role. */
async function leaderOf(ctx: CommandContext, ref: string | undefined): Promise<number | null> {
  const { people } = ctx.services;
  if (!ref) return ctx.actor.role === 'leader' ? ctx.actor.personId : null;
  const named = !ref.startsWith('@') && !parseIdentity(ref) ? await people.withRoleNamed('leader', ref) : null;
  if (named && named.length === 1) return named[0]!.id;
  if (named) throw new UserError(named.length ? `有多位领导名叫「${ref}」，请 @ 此人` : `没有名叫「${ref}」的领导。请 @ 此人，或请管理员先授权其「领导」角色`);
  const person = await people.ensure(ctx.person(ref).identity);
  if (person.role !== 'leader') throw new UserError(`「${ref}」不是领导角色，不能作为批示领导`);
  return person.id;
}

const show = (ctx: CommandContext, item: ItemDetail, heading?: string) => itemCard(item, ctx.services.today(), heading, ctx.services.timezone);

export const createItem = defineCommand({
  names: ['督办新建', '新建督办', 'db add'],
  group: '督办',
  right: 'supervise',
  summary: '把领导批示、会议决定、重点工作或问题清单立为督办件，通知承办单位',
  fields: z.object({
    标题: textField(200),
    来源: z.enum(SOURCES, { error: `应为 ${SOURCES.join('/')} 之一` }).optional().describe('不写时：有批示领导即为领导批示，否则记为未注明'),
    批示领导: textField(100).optional().describe('@某人或领导姓名；领导本人新建时默认本人'),
    批示内容: textField(1000).optional(),
    牵头单位: textField(100),
    配合单位: textField(500).optional().describe('多个用逗号或顿号分隔'),
    时限: futureDeadline,
    反馈周期: z.enum(CYCLES, { error: `应为 ${CYCLES.join('/')} 之一` }).default('一次'),
  }),
  example: '督办新建 标题=推进老旧小区改造 来源=领导批示 批示领导=@王县长 批示内容=请住建局牵头，月底前拿出方案 牵头单位=县住建局 配合单位=县财政局 时限=2026-12-31 反馈周期=每周',
  form: { 标题: 'text', 来源: 'choice', 批示领导: 'leader', 批示内容: 'long', 牵头单位: 'unit', 配合单位: 'units', 时限: 'deadline', 反馈周期: 'choice' },
  run: async (ctx, f) => {
    const leaderId = await leaderOf(ctx, f.批示领导);
    const item = await ctx.services.supervision.create(
      {
        title: f.标题,
        // an item's source is what someone said it is: a named leader's instruction, or 未注明, never a guess
        source: f.来源 ?? (leaderId === null ? '未注明' : '领导批示'),
        leaderId,
        instruction: f.批示内容,
        leadUnit: f.牵头单位,
        coUnits: f.配合单位 ? f.配合单位.split(/[,，、;；\s]+/).filter(Boolean) : [],
        deadline: f.时限.date,
        deadlineWorkdays: f.时限.workdays,
        cycle: f.反馈周期,
      },
      ctx.actor,
    );
    return show(ctx, item, '已立督办');
  },
});

export const addFeedback = defineCommand({
  names: ['督办反馈', 'db feedback'],
  group: '督办',
  right: 'handle',
  summary: '承办单位反馈办理进展；首次反馈后转为办理中',
  args: ['编号', '内容'],
  fields: z.object({ 编号: number, 内容: textField(2000) }),
  example: '督办反馈 DB-2026-0001 已召开专题会议，明确分工，方案初稿完成',
  file: 'proof',
  run: async (ctx, f) => show(ctx, await ctx.services.supervision.feedback(f.编号, f.内容, ctx.actor), '已反馈'),
});

export const findItems = defineCommand({
  names: ['督办查询', '查督办', 'db find'],
  group: '督办',
  right: 'read',
  summary: '按编号、单位或关键词查督办件，按紧急程度排列',
  args: ['关键词'],
  fields: z.object({ 关键词: textField(100) }),
  example: '督办查询 DB-2026-0001',
  run: async (ctx, f) => {
    const { supervision, today } = ctx.services;
    const found = await supervision.find(f.关键词, ctx.actor);
    if (found.total === 1 && found.items.length === 1) return show(ctx, await supervision.get(found.items[0]!.regNo, ctx.actor));
    return listCard(found, `督办查询「${f.关键词}」`, today(), `没有找到与「${f.关键词}」相关的督办件。`);
  },
});

export const overdueItems = defineCommand({
  names: ['督办逾期', 'db overdue'],
  group: '督办',
  right: 'read',
  summary: '已过时限未办结的督办件，逾期最久的在前',
  fields: z.object({}),
  example: '督办逾期',
  run: async (ctx) => listCard(await ctx.services.supervision.overdue(ctx.actor), '逾期督办件', ctx.services.today(), '没有逾期的督办件。'),
});

export const requestExtension = defineCommand({
  names: ['督办延期', 'db extend'],
  group: '督办',
  right: 'handle',
  summary: '牵头单位申请延长时限，由批示领导审批',
  args: ['编号'],
  fields: z.object({ 编号: number, 新时限: futureDeadline, 理由: textField(500) }),
  example: '督办延期 DB-2026-0001 新时限=2027-01-15 理由=需等待省级资金下达',
  form: { 编号: 'text', 新时限: 'deadline', 理由: 'long' },
  run: async (ctx, f) => show(ctx, await ctx.services.supervision.requestExtension(f.编号, f.新时限.date, f.理由, ctx.actor), '已申请延期，等待领导审批'),
});

export const approveExtension = defineCommand({
  names: ['督办批准', 'db approve'],
  group: '督办',
  right: 'approve',
  summary: '批准督办件的延期申请',
  args: ['编号', '意见'],
  fields: z.object({ 编号: number, 意见: textField(500).optional() }),
  example: '督办批准 DB-2026-0001',
  run: async (ctx, f) => show(ctx, await ctx.services.supervision.decideExtension(f.编号, true, f.意见, ctx.actor), '已批准延期'),
});

export const rejectExtension = defineCommand({
  names: ['督办驳回', 'db reject'],
  group: '督办',
  right: 'approve',
  summary: '驳回督办件的延期申请，需写明理由',
  args: ['编号'],
  fields: z.object({ 编号: number, 理由: textField(500) }),
  example: '督办驳回 DB-2026-0001 理由=请按原时限办结',
  run: async (ctx, f) => show(ctx, await ctx.services.supervision.decideExtension(f.编号, false, f.理由, ctx.actor), '已驳回延期'),
});

export const closeItem = defineCommand({
  names: ['督办办结', 'db done'],
  group: '督办',
  right: 'supervise',
  summary: '办结督办件；没有任何反馈时不能办结',
  args: ['编号', '结果'],
  fields: z.object({ 编号: number, 结果: textField(1000).optional() }),
  example: '督办办结 DB-2026-0001 结果=改造方案已经常务会议审议通过',
  run: async (ctx, f) => show(ctx, await ctx.services.supervision.close(f.编号, f.结果, ctx.actor), '已办结'),
});

export const supervisionCommands = [createItem, addFeedback, findItems, overdueItems, requestExtension, approveExtension, rejectExtension, closeItem];
