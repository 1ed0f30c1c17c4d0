// The 主体's parts read by their order (GB/T 9704-2012 7.3): the 标题 under the 版头, the 主送机关
// under it ending in a colon, and — after the 正文 and 附件说明 — the 落款: the 发文机关署名 over
// the 成文日期. Positions on the page are gone after extraction; the order of lines and how each
// line ends are what is left.
import { dateLine } from './dates';
import { fold, type Line } from './lines';
import { organLine } from './organs';

// the 文种 a title ends with, with an optional (试行) or (征求意见稿) after it
const TITLE_END = /(?:通知|通报|意见|批复|复函|函|报告|请示|决定|决议|纪要|命令|公告|通告|公报|议案|方案|规划|计划|要点|办法|规定|细则|答复|回复|倡议书|总结|说明|建议)(?:\([^()]{1,12}\))?$/;
// a title has no sentence punctuation (7.3.1: 标题中除法规、规章名称加书名号外，一般不用标点符号)
const SENTENCE = /[,;:!?。]/;
const TITLE_LINES = 4;

export interface Part {
  value: string;
  /** the index of the first line after it */
  end: number;
}

/** The 标题 from its first line: up to four lines until one ends the title with its 文种 (`ended`). */
export function readTitle(lines: readonly Line[], from: number, to: number): (Part & { ended: boolean }) | null {
  let value = '';
  let k = from;
  for (; k < Math.min(to, from + TITLE_LINES); k++) {
    const line = lines[k]!;
    if (line.page !== lines[from]!.page || SENTENCE.test(line.folded)) break;
    value += line.text;
    if (!TITLE_END.test(fold(value))) continue;
    // 关于转发……的通知 / 的通知: a title broken just after a 文种 it quotes
    const next = lines[k + 1];
    if (next && k + 1 < to && next.folded.startsWith('的') && next.folded.length <= 8 && TITLE_END.test(next.folded)) {
      return { value: value + next.text, end: k + 2, ended: true };
    }
    return { value, end: k + 1, ended: true };
  }
  return value === '' ? null : { value, end: k, ended: false };
}

// a body sentence ending in a colon (现将有关事项通知如下：) or a labelled line is no 主送
const NOT_ADDRESSEES = /如下|以下|下列|现将|现就|特此|通知|根据|按照|为了|为进一步|附件|签发人|联系人|出席|列席|请假|抄送|电话/;
const ADDRESSEE_LINES = 3;

/** The 主送机关: up to three lines ending in a colon, without it. */
export function readAddressees(lines: readonly Line[], from: number, to: number): Part | null {
  let value = '';
  for (let k = from; k < Math.min(to, from + ADDRESSEE_LINES); k++) {
    const line = lines[k]!;
    if (/[;!?。]/.test(line.folded)) return null;
    value += line.text;
    if (!/:$/.test(fold(value))) continue;
    const names = value.slice(0, -1);
    return names !== '' && names.length <= 120 && !NOT_ADDRESSEES.test(fold(names)) ? { value: names, end: k + 1 } : null;
  }
  return null;
}

export interface Closing {
  /** YYYY-MM-DD */
  date: string;
  /** the 发文机关署名 over the date, top to bottom and left to right; none when only a seal is there */
  organs: string[];
  /** the line the date is on */
  at: number;
}

const SIGNATURE_LINES = 4;

/** The 落款: the first line that is only a date, and the names over it. */
export function readClosing(lines: readonly Line[], from: number, to: number): Closing | null {
  for (let at = from; at < to; at++) {
    const date = dateLine(lines[at]!.folded);
    if (!date) continue;
    const organs: string[] = [];
    for (let k = at - 1; k >= from && k >= at - SIGNATURE_LINES; k--) {
      const names = organLine(lines[k]!.raw);
      if (!names) break;
      organs.unshift(...names);
    }
    return { date, organs, at };
  }
  return null;
}
