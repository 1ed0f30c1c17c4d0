// 建议 (NPC deputies' suggestions) and 提案 (CPPCC members' proposals): the same commands for
// both, made by one factory; only the names, the id prefix and the proposer's title differ.
import { z } from 'zod';
import { yearOf, type LocalDate } from '../src/lib/dates';
import { card, type Reply } from '../src/lib/reply';
import { KIND_PREFIX, type ProposalKind, type ProposalList, type ProposalStats, type ProposalView, type RegisterInput } from '../src/services/proposals';
import { defineCommand } from './kit/define';
import { localDate, recordedDeadline, textField, type Deadline } from './kit/fields';
import { dueText, percent } from './views';

const STATUS: Record<ProposalView['status'], string> = { assigned: '已交办', in_progress: '办理中（重新办理）', answered: '已答复', evaluated: '已评价' };
const EVALUATIONS = ['满意', '基本满意', '不满意'] as const;

/** 12, 第12号, 12号 → 12 */
const officialNumber = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const m = /^第?(\d{1,4})号?$/.exec(s);
    if (!m || Number(m[1]) < 1) {
      ctx.issues.push({ code: 'custom', input: s, message: '应为正整数编号，例如 12 或 第12号' });
      return z.NEVER;
    }
    return Number(m[1]);
  });

const splitList = (text: string | undefined) => (text ? text.split(/[,，、;；\s]+/).filter(Boolean) : []);

export function proposalCard(p: ProposalView, today: LocalDate, heading?: string): Reply {
  const done = p.status === 'answered' || p.status === 'evaluated';
  return card({
    title: heading ? `${heading}：${p.regNo}` : p.regNo,
    about: `proposal:${p.regNo}`,
    tone: p.status === 'evaluated' && p.evaluation !== '不满意' ? 'success' : !done && p.dueDate < today ? 'danger' : done ? 'info' : 'warning',
    lines: [
      `**${p.title}**`,
      ...p.earlierRounds.map((r) => `第${r.round}轮：${r.answerDate} 答复（${r.answerClass}类，${r.answeredOnTime ? '按时' : '超期'}），评价「${r.evaluation}」`),
      ...(p.answerText ? [`答复内容：${p.answerText}`] : []),
    ],
    fields: [
      [p.kind === '建议' ? '代表' : '委员', p.proposers],
      ['状态', STATUS[p.status]],
      ['主办单位', p.leadUnitName],
      ['协办单位', p.coUnitNames.join('、') || '—'],
      ['交办日期', p.assignedDate],
      ['答复期限', done ? p.dueDate : dueText(p.dueDate, today)],
      ...(p.answerDate ? [['答复', `${p.answerDate}，${p.answerClass}类，${p.answeredOnTime ? '按时' : '超期'}`] as [string, string]] : []),
      ...(p.evaluation ? [['评价', p.evaluation]] as [string, string][] : []),
    ],
    actions: [],
  });
}

function listCard(kind: ProposalKind, list: ProposalList, query: string, today: LocalDate): Reply {
  if (list.total === 0) return { text: `没有找到与「${query}」相关的${kind}。` };
  const shown = list.total > list.items.length ? `，显示前 ${list.items.length} 件` : '';
  return card({
    title: `${kind}查询「${query}」：共 ${list.total} 件${shown}`,
    tone: 'info',
    lines: list.items.map((p) => `${p.regNo} ${p.title}｜${p.proposers}｜${p.leadUnitName}｜${p.status === 'answered' || p.status === 'evaluated' ? STATUS[p.status] : dueText(p.dueDate, today)}`),
    actions: list.items.slice(0, 3).map((p) => ({ label: `查看 ${p.regNo}`, command: `${kind}查询 ${p.regNo}` })),
  });
}

function statsCard(s: ProposalStats): Reply {
  if (s.total === 0) return { text: `${s.year}年还没有登记任何${s.kind}。` };
  return card({
    title: `${s.year}年${s.kind}办理情况：共 ${s.total} 件`,
    tone: 'info',
    fields: [
      ['已答复', `${s.answered} 件`],
      ['按时答复率', percent(s.onTime)],
      ['满意', percent(s.satisfied)],
      ['基本满意', percent(s.basicallySatisfied)],
      ['不满意', percent(s.unsatisfied)],
      ['满意率（含基本满意）', percent(s.satisfaction)],
    ],
    lines: [
      `按状态：已交办 ${s.byStatus.assigned}，重新办理 ${s.byStatus.in_progress}，已答复 ${s.byStatus.answered}，已评价 ${s.byStatus.evaluated}`,
      '**按主办单位**',
      ...s.byUnit.map((u) => `${u.unit}：${u.total} 件，已答复 ${u.answered}，按时 ${percent(u.onTime)}，满意率 ${percent(u.satisfaction)}（满意 ${percent(u.satisfied)}，基本满意 ${percent(u.basicallySatisfied)}）`),
    ],
  });
}

/** A registration's fields, typed in chat or read from a spreadsheet row, as the service takes them. */
export function registerInput(kind: ProposalKind, f: Record<string, unknown>, today: LocalDate): RegisterInput {
  return {
    kind,
    number: f['编号'] as number,
    title: f['标题'] as string,
    proposers: f[kind === '建议' ? '代表' : '委员'] as string,
    leadUnit: f['主办单位'] as string,
    coUnits: splitList(f['协办单位'] as string | undefined),
    assignedDate: (f['交办日期'] as LocalDate | undefined) ?? today,
    dueDate: (f['答复期限'] as Deadline | undefined)?.date,
    dueWorkdays: (f['答复期限'] as Deadline | undefined)?.workdays,
  };
}

function commandsFor(kind: ProposalKind) {
  const ascii = KIND_PREFIX[kind].toLowerCase();
  const who = kind === '建议' ? '代表' : '委员';
  const proposer = textField(200).describe(`${who}姓名，多人用顿号分隔`);

  const register = defineCommand({
    names: [`${kind}登记`, `${ascii} add`],
    group: '建议提案',
    right: 'register',
    summary: `登记${kind === '建议' ? '人大代表建议' : '政协提案'}并交办，通知主办、协办单位`,
    fields: z.object({
      编号: officialNumber,
      标题: textField(200),
      ...(kind === '建议' ? { 代表: proposer } : { 委员: proposer }),
      主办单位: textField(100),
      协办单位: textField(500).optional().describe('多个用顿号分隔'),
      交办日期: localDate.optional().describe('默认今天'),
      答复期限: recordedDeadline.optional().describe('默认交办日期后三个月，最长六个月'),
    }),
    example: `${kind}登记 编号=12 标题=关于加强农村饮水安全保障的${kind} ${who}=张三、李四 主办单位=县水利局 协办单位=县卫健局`,
    form: { 编号: 'text', 标题: 'text', [who]: 'text', 主办单位: 'unit', 协办单位: 'units', 交办日期: 'date', 答复期限: 'deadline' },
    run: async (ctx, f) => {
      const { proposals, today } = ctx.services;
      return proposalCard(await proposals.register(registerInput(kind, f, today()), ctx.actor), today(), `已登记${kind}`);
    },
  });

  const find = defineCommand({
    names: [`${kind}查询`, `${ascii} find`],
    group: '建议提案',
    right: 'read',
    summary: `按编号（今年的 12 号可写 12）、${who}姓名、单位或关键词查${kind}`,
    args: ['关键词'],
    fields: z.object({ 关键词: textField(100) }),
    example: `${kind}查询 12`,
    run: async (ctx, f) => {
      const { proposals, today } = ctx.services;
      const found = await proposals.find(kind, f.关键词, ctx.actor);
      return found.total === 1 && found.items.length === 1 ? proposalCard(found.items[0]!, today()) : listCard(kind, found, f.关键词, today());
    },
  });

  const answer = defineCommand({
    names: [`${kind}答复`, `${ascii} answer`],
    group: '建议提案',
    right: 'handle',
    summary: `主办单位答复${kind}，记录是否按时`,
    args: ['编号'],
    fields: z.object({ 编号: textField(30), 类别: textField(5).transform((s) => s.toUpperCase()), 答复日期: localDate.optional().describe('默认今天'), 内容: textField(2000).optional() }),
    example: `${kind}答复 12 类别=A 内容=已列入明年民生实事项目`,
    run: async (ctx, f) => {
      const { proposals, today } = ctx.services;
      const p = await proposals.answer(kind, f.编号, { answerClass: f.类别, date: f.答复日期 ?? today(), text: f.内容 }, ctx.actor);
      return proposalCard(p, today(), `已答复${p.answeredOnTime ? '（按时）' : '（超期）'}`);
    },
  });

  const rate = defineCommand({
    names: [`${kind}评价`, `${ascii} rate`],
    group: '建议提案',
    right: 'register',
    summary: `记录${who}对答复的评价；不满意的重新办理`,
    args: ['编号', '评价'],
    fields: z.object({ 编号: textField(30), 评价: z.enum(EVALUATIONS, { error: `应为 ${EVALUATIONS.join('/')} 之一` }) }),
    example: `${kind}评价 12 满意`,
    run: async (ctx, f) => {
      const { proposals, today } = ctx.services;
      const p = await proposals.evaluate(kind, f.编号, f.评价, ctx.actor);
      return proposalCard(p, today(), f.评价 === '不满意' ? '已退回重新办理' : '已评价');
    },
  });

  const stats = defineCommand({
    names: [`${kind}统计`, `${ascii} stats`],
    group: '建议提案',
    right: 'read',
    summary: `${kind}办理统计：按状态、按主办单位，按时答复率和满意率`,
    args: ['年份'],
    fields: z.object({ 年份: z.coerce.number({ error: '应为年份，例如 2026' }).int().min(2000, { error: '应为年份，例如 2026' }).max(2100, { error: '应为年份，例如 2026' }).optional().describe('默认今年') }),
    example: `${kind}统计 2026`,
    run: async (ctx, f) => statsCard(await ctx.services.proposals.stats(kind, f.年份 ?? yearOf(ctx.services.today()), ctx.actor)),
  });

  return { register, all: [register, find, answer, rate, stats] };
}

const suggestions = commandsFor('建议');
const cppcc = commandsFor('提案');
/** The registration commands, whose fields a spreadsheet import reads too. */
export const registerProposal = { 建议: suggestions.register, 提案: cppcc.register };
export const proposalCommands = [...suggestions.all, ...cppcc.all];
