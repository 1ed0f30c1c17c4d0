// The 版头 (GB/T 9704-2012 7.2): 份号, 密级和保密期限, 紧急程度, then the 发文机关标志, then the
// 发文字号 (with the 签发人 beside it on an upward document). In the 信函格式 (10.1) the organ mark
// comes first without 文件 and the 文号 and other marks below it; the 命令格式 (10.2) has
// ……令 and 第N号; the 纪要格式 (10.3) has ……纪要, often a number and a line naming who issued it
// and when. Extraction may put marks printed at one height on one line, so a line of marks is
// read as a run of them, in any order.
import { DATE, isoDate } from './dates';
import { SECRECY_TOKEN } from './levels';
import { piecesOf, type Line } from './lines';
import { isOrganName, organsIn } from './organs';

export interface HeadMarks {
  copy?: string;
  secrecy?: string;
  urgency?: string;
  /** 发文字号 */
  number?: string;
  /** a number without 机关代字: 第412号 of a 令, 〔2026〕18号 or 第18期 of a 纪要 */
  serial?: string;
  /** the names after 签发人：, possibly none (they are on the next line) */
  signer?: string[];
}

type Kind = keyof HeadMarks;

// tried in this order at each position: a 紧急程度 or 密级 before a 文号 whose 代字 would swallow it
const TOKENS: [Kind, RegExp][] = [
  ['signer', /签发人:?.*$/y],
  ['secrecy', SECRECY_TOKEN],
  ['urgency', /(?:紧急程度:?)?(?:特急|加急|平急)/y],
  ['copy', /(?:份号:?)?\d{4,8}(?!\d)/y],
  ['number', /[\u4e00-\u9fa5A-Za-z]{1,20}[〔【〖[(]\d{4}[〕】〗\])]第?\d{1,5}号/y],
  ['serial', /(?:[〔【〖[(]\d{4}[〕】〗\])]第?|第)\d{1,5}(?:号|期)/y],
];

/**
 * The names after 签发人, apart where printed apart. A name is two characters or more: single
 * characters apart are one letter-spaced name (王 五); a lone one goes with its neighbour.
 */
export function signerNames(raw: string): string[] {
  const runs: string[] = [];
  let inRun = false;
  for (const piece of raw.split(/[\s\u200b\ufeff、，,]+/)) {
    if (piece === '') continue;
    const single = [...piece].length === 1;
    if (single && inRun) runs[runs.length - 1] += piece;
    else runs.push(piece);
    inRun = single;
  }
  const names: string[] = [];
  let carry = '';
  for (const run of runs) {
    if ([...run].length > 1 || runs.length === 1) names.push(carry + run);
    else if (names.length > 0) names[names.length - 1] += run;
    else carry = run;
    if (names.length > 0) carry = '';
  }
  return names;
}

/** The marks a line is made of, or null when anything else is on it. */
export function headMarks(line: Line): HeadMarks | null {
  const marks: HeadMarks = {};
  let at = 0;
  while (at < line.folded.length) {
    let matched = false;
    for (const [kind, pattern] of TOKENS) {
      pattern.lastIndex = at;
      const m = pattern.exec(line.folded);
      if (!m || m[0] === '') continue;
      if (kind === 'signer') {
        const after = line.raw.replace(/^[\s\S]*?签\s*发\s*人\s*[:：]?/, '');
        marks.signer = signerNames(after);
      } else if (marks[kind] === undefined) {
        marks[kind] = line.text.slice(at, at + m[0].length);
      }
      at += m[0].length;
      matched = true;
      break;
    }
    if (!matched) return null;
  }
  return at > 0 ? marks : null;
}

/** A line of a few names only (the 签发人 of a joint upward document under the first). */
function namesOnly(line: Line): string[] | null {
  const names = signerNames(line.raw);
  return names.length <= 3 && names.every((n) => /^[\u4e00-\u9fa5·]{2,4}$/.test(n) && !isOrganName(n)) ? names : null;
}

export type HeadForm = '文件' | '信函' | '命令' | '纪要';

export interface Head {
  /** the index of the first line after the 版头 */
  end: number;
  form: HeadForm | null;
  /** the organs of a 文件 or 信函 mark */
  organs?: string[];
  /** the mark of a 令 or 纪要 as printed: 浙江省人民政府令 */
  mark?: string;
  copy?: string;
  urgency?: string;
  number?: string;
  serial?: string;
  signer?: string[];
  /** a 纪要's line naming who issued it and when */
  issued?: { organ: string; date: string };
}

const MARK_TAIL = /(文件|令|纪要)$/;
const NOT_A_MARK = /[,.;:!?，。；：！？、“”"]|关于/;

function markKind(line: Line): HeadForm | null {
  if (line.folded.length > 40 || NOT_A_MARK.test(line.folded)) return null;
  const tail = MARK_TAIL.exec(line.folded)?.[1];
  if (tail === '文件') return '文件';
  if (tail === '令' && isOrganName(line.text.slice(0, -1))) return '命令';
  if (tail === '纪要') return '纪要';
  return organsIn(piecesOf(line.raw)).every(isOrganName) ? '信函' : null;
}

/** The organs of 文件 / 信函 mark lines, 文件 dropped: one or more on each line, stacked lines apart. */
function markOrgans(lines: Line[]): string[] {
  return lines.flatMap((l) => {
    // 文件 may itself be printed apart (文 件): it is dropped across the space
    const pieces = piecesOf(l.raw).join('\n').replace(/文\n?件$/, '').split('\n');
    return organsIn(pieces.filter((p) => p !== ''));
  });
}

function issuedLine(line: Line): { organ: string; date: string } | null {
  const m = new RegExp(`^(.+?)${DATE.source}$`).exec(line.folded);
  if (!m) return null;
  const organ = line.text.slice(0, m[1]!.length);
  const date = isoDate(m[2]!, m[3]!, m[4]!);
  return date && isOrganName(organ) ? { organ, date } : null;
}

const HEAD_LINES = 16;

export function readHead(lines: readonly Line[]): Head {
  const first = lines[0]?.page;
  const marks: HeadMarks = {};
  const markLines: Line[] = [];
  let markStart = -1;
  let marksAfterOrgan = false;
  let issued: Head['issued'] | null = null;
  let i = 0;
  for (; i < Math.min(lines.length, HEAD_LINES) && lines[i]!.page === first; i++) {
    const line = lines[i]!;
    const found = headMarks(line);
    if (found) {
      for (const kind of Object.keys(found) as Kind[]) if (marks[kind] === undefined) (marks as Record<Kind, unknown>)[kind] = found[kind];
      if (markLines.length > 0) marksAfterOrgan = true;
      continue;
    }
    const more = marks.signer !== undefined ? namesOnly(line) : null;
    if (more) {
      marks.signer = [...marks.signer!, ...more];
      continue;
    }
    const issuedHere: Head['issued'] | null = markLines.length > 0 && !issued ? issuedLine(line) : null;
    if (issuedHere) {
      issued = issuedHere;
      continue;
    }
    if (marks.number === undefined && marks.serial === undefined && markKind(line)) {
      if (markStart < 0) markStart = i;
      markLines.push(line);
      continue;
    }
    break;
  }

  const kinds = markLines.map(markKind);
  const base = {
    ...(marks.copy !== undefined && { copy: marks.copy }),
    ...(marks.urgency !== undefined && { urgency: marks.urgency }),
    ...(marks.number !== undefined && { number: marks.number }),
    ...(marks.serial !== undefined && { serial: marks.serial }),
    ...(marks.signer !== undefined && marks.signer.length > 0 && { signer: marks.signer }),
  };
  if (kinds.includes('文件')) return { end: i, form: '文件', organs: markOrgans(markLines), ...base };
  const single = markLines.length === 1 ? markLines[0]!.text : null;
  if (single && kinds[0] === '命令') return { end: i, form: '命令', mark: single, ...base };
  if (single && kinds[0] === '纪要') return { end: i, form: '纪要', mark: single, ...base, ...(issued && { issued }) };
  // names without 文件 are a 信函's mark only with a 文号 or other marks under them; else they
  // are the start of what follows (a title such as 浙江省人民政府办公厅转发省发展改革委……)
  if (markLines.length > 0 && kinds.every((k) => k === '信函') && (marks.number !== undefined || marksAfterOrgan)) {
    return { end: i, form: '信函', organs: markOrgans(markLines), ...base };
  }
  if (markLines.length > 0) return { end: markStart, form: null, ...base };
  return { end: i, form: null, ...base };
}
