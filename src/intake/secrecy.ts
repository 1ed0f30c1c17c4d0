// The 密级 mark of a 涉密 document (GB/T 9704-2012 7.2.2: 秘密, 机密 or 绝密, with its 保密期限
// after a ★: 机密★1年). A marked file is refused and forgotten, so where a line could be a mark
// this errs toward yes: a level word alone on a line, a level word touching a ★, 密级：机密, or a
// line of nothing but 版头 marks (000001  机密  特急). A sentence about secrets — 严格遵守保守国家
// 秘密法, 不得涉及国家秘密 — is no mark: every notice on 保密工作 would be refused.
import { headMarks } from './layout/head';
import { LEVEL, PERIOD, STAR } from './layout/levels';
import { readLines } from './layout/lines';

export type SecrecyLevel = '秘密' | '机密' | '绝密';
export interface SecrecyMark {
  level: SecrecyLevel;
  /** as printed, without its spaces: 机密★1年 */
  mark: string;
}

const RANK: Record<SecrecyLevel, number> = { 秘密: 1, 机密: 2, 绝密: 3 };

const ALONE = new RegExp(`^(?:密级:?)?[(\\[【〔]?${LEVEL}[)\\]】〕]?$`);
const STARRED = new RegExp(`${LEVEL}${STAR}${PERIOD}?|${STAR}${LEVEL}`, 'g');
const LABELLED = new RegExp(`密级:?${LEVEL}(?:${STAR}${PERIOD}?)?(?![、,和或与及])`, 'g');

function levelIn(mark: string): SecrecyLevel {
  return (/绝密|机密|秘密/.exec(mark)![0]) as SecrecyLevel;
}

/** The 密级 a document is marked with (the highest, if several), or null. */
export function secrecyMark(pages: string[][]): SecrecyMark | null {
  let found: SecrecyMark | null = null;
  const consider = (mark: string) => {
    const level = levelIn(mark);
    if (!found || RANK[level] > RANK[found.level]) found = { level, mark };
  };
  for (const line of readLines(pages)) {
    if (ALONE.test(line.folded)) consider(line.text);
    for (const pattern of [STARRED, LABELLED]) {
      for (const m of line.folded.matchAll(pattern)) consider(line.text.slice(m.index, m.index + m[0].length));
    }
    const marks = headMarks(line);
    if (marks?.secrecy) consider(marks.secrecy);
  }
  return found;
}
