// The 版记 (GB/T 9704-2012 7.4) at the foot of the last page: 抄送机关, then the 印发机关 and the
// 印发日期 on one line (浙江省人民政府办公厅    2026年11月20日印发).
import { DATE, isoDate } from './dates';
import type { Line } from './lines';
import { isOrganName, organLine } from './organs';

export interface Tail {
  /** the index of the 版记's first line; the lines' length when there is none */
  start: number;
  organ?: string;
  /** YYYY-MM-DD */
  date?: string;
}

const PRINTED = new RegExp(`^(.*?)(?:${DATE.source})?印发$`);
const COPIES = /^(?:抄送|抄报|分送|报送|主题词):/;
// the 印发 line ends the 版记 (7.4.1), at most a line such as （共印50份） after it; the 抄送 a few lines over it
const PRINTED_WITHIN = 3;
const TAIL_LINES = 12;

/** The 印发机关 and 印发日期 of a line, with the index the 版记 starts at if it is one. */
function printedLine(lines: readonly Line[], k: number): Tail | null {
  const line = lines[k]!;
  const m = PRINTED.exec(line.folded);
  if (!m) return null;
  const date = m[2] !== undefined ? isoDate(m[2], m[3]!, m[4]!) : null;
  const organ = line.text.slice(0, m[1]!.length);
  if (organ !== '') return isOrganName(organ) ? { start: k, organ, ...(date && { date }) } : null;
  // the 印发机关 extracted as a line of its own over 2026年11月20日印发
  const above = lines[k - 1];
  if (!date || !above || above.page !== line.page || organLine(above.raw)?.length !== 1) return null;
  return { start: k - 1, organ: above.text, date };
}

export function readTail(lines: readonly Line[]): Tail {
  const last = lines[lines.length - 1]?.page;
  const onLast = (k: number) => k >= 0 && lines[k]!.page === last;
  let printed: Tail | null = null;
  for (let k = lines.length - 1; !printed && k >= lines.length - PRINTED_WITHIN && onLast(k); k--) printed = printedLine(lines, k);
  const end = printed?.start ?? lines.length;
  let start = end;
  for (let k = end - 1; k >= end - TAIL_LINES && onLast(k); k--) if (COPIES.test(lines[k]!.folded)) start = k;
  return { ...printed, start };
}
