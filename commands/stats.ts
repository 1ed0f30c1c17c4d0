// The office's figures as a compact card: each with the previous period's change beside it.
import { z } from 'zod';
import { addDays } from '../src/lib/dates';
import { card, type Reply } from '../src/lib/reply';
import type { Rate } from '../src/services/proposals';
import { weekOf, type Report } from '../src/services/stats';
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
      ['其中领导批示', `${c.supervision.leaderInstructions} 件`],
      ['督办办结', count(c.supervision.closed, b.supervision.closed)],
      ['督办按时办结率', rate(c.supervision.closedOnTime, b.supervision.closedOnTime)],
      ['督办反馈', count(c.supervision.feedbackEntries, b.supervision.feedbackEntries, '次')],
      ['督办逾期', `${c.supervision.overdue} 件`],
      ['建议提案交办', count(c.proposals.assigned, b.proposals.assigned)],
      ['建议提案答复', count(c.proposals.answered, b.proposals.answered)],
      ['按时答复率', rate(c.proposals.answeredOnTime, b.proposals.answeredOnTime)],
      ['满意率', rate(c.proposals.satisfied, b.proposals.satisfied)],
      ['基本满意率', rate(c.proposals.basicallySatisfied, b.proposals.basicallySatisfied)],
    ],
    lines: [`括号内为与${r.period.kind === 'week' ? '上周' : '上年'}相比的变化；没有可比数据时显示 —。`],
  });
}

const WHICH = ['本周', '上周'] as const;

export const weekStats = defineCommand({
  names: ['本周统计', 'stats week'],
  group: '统计',
  right: 'read',
  summary: '本周（或上周）的公文、督办、建议提案数字，与前一周比较；与每周一的周报相同',
  args: ['哪周'],
  fields: z.object({ 哪周: z.enum(WHICH, { error: '应为 本周 或 上周' }).default('本周') }),
  example: '本周统计 上周',
  run: (ctx, f) => {
    const { stats, today } = ctx.services;
    const week = weekOf(f.哪周 === '上周' ? addDays(today(), -7) : today());
    return reportCard(stats.report(week, ctx.actor), `${f.哪周}统计`);
  },
});

export const statsCommands = [weekStats];
