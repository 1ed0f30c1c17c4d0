// The office's figures as a compact card: each with the previous period's change beside it.
import { z } from 'zod';
import { addDays, yearOf } from '../src/lib/dates';
import { card, text, type Reply } from '../src/lib/reply';
import { LEDGER_KINDS } from '../src/services/ledgers';
import type { ProposalStats, Rate } from '../src/services/proposals';
import { weekOf, yearPeriod, type Report } from '../src/services/stats';
import { defineCommand } from './kit/define';
import { percent } from './views';

const share = (r: Rate) => (r.of === 0 ? null : (100 * r.count) / r.of);

/** 12（+3）; 12（持平） */
function count(now: number, before: number, unit = '件'): string {
  const d = now - before;
  return `${now} ${unit}（${d === 0 ? '持平' : d > 0 ? `+${d}` : `−${-d}`}）`;
}

/** 95.0%（19/20，↑2.1个百分点） */
function rate(now: Rate, before: Rate): string {
  const a = share(now);
  const b = share(before);
  const change = a === null || b === null ? '' : Math.abs(a - b) < 0.05 ? '，持平' : `，${a > b ? '↑' : '↓'}${Math.abs(a - b).toFixed(1)}个百分点`;
  return percent(now, change);
}

export function reportCard(r: Report, heading: string): Reply {
  const { current: c, before: b } = r;
  return card({
    title: `${heading}（${r.period.label}）`,
    tone: c.supervision.overdue > 0 ? 'warning' : 'info',
    fields: [
      ['收文', count(c.documents.received, b.documents.received)],
      ['其中特急/加急', `${c.documents.receivedBy.特急}/${c.documents.receivedBy.加急}`],
      ['发文', count(c.documents.issued, b.documents.issued, '份')],
      ['公文办结', count(c.documents.closed, b.documents.closed)],
      ['按时办结率', rate(c.documents.closedOnTime, b.documents.closedOnTime)],
      ['急件当日分办', rate(c.documents.urgentAtOnce, b.documents.urgentAtOnce)],
      ['平均办理（工作日）', c.documents.averageWorkdays === null ? '—' : `${c.documents.averageWorkdays} 天`],
      ['新立督办', count(c.supervision.created, b.supervision.created)],
      ['其中领导批示', `${c.supervision.leaderInstructions} 件${c.supervision.sourceUnstated ? `（另有 ${c.supervision.sourceUnstated} 件未注明来源）` : ''}`],
      ['督办办结', count(c.supervision.closed, b.supervision.closed)],
      ['督办按时办结率', rate(c.supervision.closedOnTime, b.supervision.closedOnTime)],
      ['督办反馈', count(c.supervision.feedbackEntries, b.supervision.feedbackEntries, '次')],
      ['督办逾期', `${c.supervision.overdue} 件`],
      ['建议提案交办', count(c.proposals.assigned, b.proposals.assigned)],
      ['建议提案答复', count(c.proposals.answered, b.proposals.answered)],
      ['按时答复率', rate(c.proposals.answeredOnTime, b.proposals.answeredOnTime)],
      ['满意率（含基本满意）', rate(c.proposals.satisfaction, b.proposals.satisfaction)],
      ['其中满意', rate(c.proposals.satisfied, b.proposals.satisfied)],
    ],
    lines: [`括号内为与${r.period.kind === 'week' ? '上周' : '上年'}相比的变化；没有可比数据时显示 —。`],
  });
}

const pct = (r: Rate) => (r.of === 0 ? '—' : `${((100 * r.count) / r.of).toFixed(1)}%`);

/**
 * The figures as the sentences an annual work report uses, one per line, ready to paste. Every
 * rate is the card's own (the report's), so the card and the sentences never disagree; the
 * suggestions' and proposals' counts are the year's batches.
 */
export function annualSentences(r: Report, suggestions: ProposalStats, cppcc: ProposalStats): string[] {
  const { documents: d, supervision: s, proposals: p } = r.current;
  const allOnTime = p.answeredOnTime.of > 0 && p.answeredOnTime.count === p.answeredOnTime.of && suggestions.answered + cppcc.answered === suggestions.total + cppcc.total;
  return [
    `全年收到上级来文 ${d.received} 件，其中特急 ${d.receivedBy.特急} 件、加急 ${d.receivedBy.加急} 件，急件当日分办率 ${pct(d.urgentAtOnce)}，按时办结率 ${pct(d.closedOnTime)}，平均办理 ${d.averageWorkdays ?? '—'} 个工作日；`,
    `发出各类文件 ${d.issued} 份；`,
    `办理督办件 ${s.created} 件，其中领导批示 ${s.leaderInstructions} 件，办结 ${s.closed} 件，按时办结率 ${pct(s.closedOnTime)}，收到承办单位反馈 ${s.feedbackEntries} 次，年末逾期 ${s.overdue} 件；`,
    `办理人大代表建议 ${suggestions.total} 件、政协提案 ${cppcc.total} 件，${allOnTime ? '均按要求及时答复' : `按时答复率 ${pct(p.answeredOnTime)}`}，满意率 ${pct(p.satisfaction)}（其中满意 ${pct(p.satisfied)}、基本满意 ${pct(p.basicallySatisfied)}）。`,
  ];
}

const year = z.coerce.number({ error: '应为年份，例如 2026' }).int({ error: '应为年份，例如 2026' }).min(2000, { error: '应为年份，例如 2026' }).max(2100, { error: '应为年份，例如 2026' });

export const yearStats = defineCommand({
  names: ['年度统计', 'stats year'],
  group: '统计',
  right: 'read',
  summary: '全年数字（与上年比较），并写成年度工作报告可直接使用的句子',
  args: ['年份'],
  fields: z.object({ 年份: year.optional().describe('默认今年') }),
  example: '年度统计 2026',
  run: async (ctx, f) => {
    const { stats, proposals, today } = ctx.services;
    const y = f.年份 ?? yearOf(today());
    const report = await stats.report(yearPeriod(y), ctx.actor);
    const sentences = annualSentences(report, await proposals.stats('建议', y, ctx.actor), await proposals.stats('提案', y, ctx.actor));
    return [reportCard(report, '年度统计'), text(sentences.join('\n'))];
  },
});

export const exportLedger = defineCommand({
  names: ['导出', '导出台账', 'export'],
  group: '统计',
  right: 'export',
  summary: `把${LEDGER_KINDS.join('、')}台账导出为 Excel 表格，生成后私信发给您`,
  args: ['种类', '年份'],
  fields: z.object({ 种类: z.enum(LEDGER_KINDS, { error: `应为 ${LEDGER_KINDS.join('/')} 之一` }), 年份: year.optional().describe('默认今年') }),
  example: '导出 督办 2026',
  run: async (ctx, f) => {
    const y = f.年份 ?? yearOf(ctx.services.today());
    await ctx.services.exports.request(f.种类, y, ctx.actor);
    return text(`正在生成 ${y} 年${f.种类}台账，完成后私信发给您。`);
  },
});

const WHICH = ['本周', '上周'] as const;

export const weekStats = defineCommand({
  names: ['本周统计', 'stats week'],
  group: '统计',
  right: 'read',
  summary: '本周（或上周）的公文、督办、建议提案数字，与前一周比较；与每周一的周报相同',
  args: ['哪周'],
  fields: z.object({ 哪周: z.enum(WHICH, { error: '应为 本周 或 上周' }).default('本周') }),
  example: '本周统计 上周',
  run: async (ctx, f) => {
    const { stats, today } = ctx.services;
    const week = weekOf(f.哪周 === '上周' ? addDays(today(), -7) : today());
    return reportCard(await stats.report(week, ctx.actor), `${f.哪周}统计`);
  },
});

export const statsCommands = [weekStats, yearStats, exportLedger];
