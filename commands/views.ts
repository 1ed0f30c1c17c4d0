// How domain objects read in a reply. Shared by the command groups; platform-neutral.
import { daysBetween, type LocalDate } from '../src/lib/dates';
import { card, type Reply, type Tone } from '../src/lib/reply';
import type { DocumentList, DocumentView } from '../src/services/documents';
import type { FileRecord } from '../src/services/intake';
import { DOC_STATUS } from '../src/services/ledgers';

/** 95.0%（19/20）, or — when there is nothing to divide by; `note` goes inside the brackets. */
export function percent(r: { count: number; of: number }, note = ''): string {
  return r.of === 0 ? '—' : `${((100 * r.count) / r.of).toFixed(1)}%（${r.count}/${r.of}${note}）`;
}

/** 剩 3 天 / 今天到期 / 逾期 2 天 */
export function dueText(due: LocalDate | null, today: LocalDate): string {
  if (!due) return '未定时限';
  const left = daysBetween(today, due);
  if (left > 0) return `${due}（剩 ${left} 天）`;
  if (left === 0) return `${due}（今天到期）`;
  return `${due}（逾期 ${-left} 天）`;
}


function documentTone(doc: DocumentView, today: LocalDate): Tone {
  if (doc.direction === 'out') return 'info';
  if (doc.status === 'closed') return 'success';
  if ((doc.dueDate && doc.dueDate < today) || doc.urgency === '特急') return 'danger';
  return doc.urgency === '加急' ? 'warning' : 'info';
}

function statusText(doc: DocumentView): string {
  // a 发文 is registered when it goes out: there is nothing left to do with it
  if (doc.direction === 'out') return '已发出';
  if (doc.status !== 'closed') return DOC_STATUS[doc.status];
  const timing = doc.closedOnTime === null ? '' : doc.closedOnTime ? '，按时' : '，超期';
  return `已办结（${doc.closedDate}${timing}）`;
}

const FORMAT_LABELS: Record<string, string> = { pdf: 'PDF', ofd: 'OFD', docx: 'Word' };

/** 《通知.pdf》，PDF 3 页，1.2 MB — what is kept of a file, never its text. */
export function describeFile(f: Pick<FileRecord, 'name' | 'size' | 'pages' | 'format'>): string {
  const size = f.size === null ? null : f.size >= 1024 * 1024 ? `${(f.size / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(f.size / 1024))} KB`;
  const kind = [f.format ? FORMAT_LABELS[f.format] : null, f.pages ? `${f.pages} 页` : null].filter(Boolean).join(' ');
  return [`《${f.name || '未命名文件'}》`, kind || null, size].filter(Boolean).join('，');
}

export function documentCard(doc: DocumentView, today: LocalDate, heading?: string, notes: string[] = []): Reply {
  const incoming = doc.direction === 'in';
  const fields: [string, string][] = [
    ['登记号', doc.regNo],
    ['类型', incoming ? '收文' : '发文'],
    ['文号', doc.docNumber ?? '—'],
    incoming ? ['来文单位', doc.sourceUnit ?? '—'] : ['主送', doc.recipients ?? '—'],
    ['紧急程度', doc.urgency],
    [incoming ? '收文日期' : '成文日期', doc.docDate],
  ];
  if (incoming) {
    fields.push(['办理时限', doc.status === 'closed' ? (doc.dueDate ?? '未定时限') : dueText(doc.dueDate, today)]);
    fields.push(['承办单位', doc.handlingUnitName ?? '未分办']);
  } else if (doc.draftingUnit) {
    fields.push(['拟稿单位', doc.draftingUnit]);
  }
  fields.push(['状态', statusText(doc)]);
  if (doc.result) fields.push(['办理结果', doc.result]);
  if (doc.remarks) fields.push(['备注', doc.remarks]);
  return card({
    title: heading ? `${heading}：${doc.regNo}` : doc.regNo,
    about: `document:${doc.regNo}`,
    tone: documentTone(doc, today),
    lines: [`**${doc.title}**`, ...notes],
    fields,
    actions: doc.status === 'closed' || !incoming ? [] : [{ label: '办结', command: `公文办结 ${doc.regNo}` }],
  });
}

export function documentListCard(list: DocumentList, title: string, today: LocalDate, emptyText: string): Reply {
  if (list.total === 0) return { text: emptyText };
  const count = list.capped ? `${list.total} 件以上` : `${list.total} 件`;
  const shown = list.total > list.items.length ? `，显示前 ${list.items.length} 件` : '';
  const lines = list.items.map(
    (d) => `${d.regNo}【${d.urgency}】${d.title}｜${d.status === 'closed' || d.direction === 'out' ? statusText(d) : dueText(d.dueDate, today)}`,
  );
  if (list.capped) lines.push('匹配太多，请换个更具体的关键词。');
  return card({
    title: `${title}：共 ${count}${shown}`,
    tone: list.items.some((d) => d.status !== 'closed' && d.dueDate !== null && d.dueDate < today) ? 'warning' : 'info',
    lines,
    actions: list.items.slice(0, 3).map((d) => ({ label: `查看 ${d.regNo}`, command: `公文查询 ${d.regNo}` })),
  });
}
