// Reads the fields of a 党政机关公文 (GB/T 9704-2012) from its extracted lines, each with where it
// was read and how sure the reading is: 'sure' from its place in a standard form, 'likely' from a
// fallback place, 'guess' when inferred loosely. What is not found is left out, never made up.
// No line of the document is logged: documents may be confidential.
import { readAddressees, readClosing, readTitle } from './layout/body';
import { readHead } from './layout/head';
import { fold, readLines } from './layout/lines';
import { isOrganName } from './layout/organs';
import { readTail } from './layout/tail';

export type Certainty = 'sure' | 'likely' | 'guess';
export interface ReadField {
  value: string;
  certainty: Certainty;
  /** where on the page it was read, e.g. 版头发文机关标志, 落款, 版记印发机关 */
  from: string;
}
export interface LayoutReading {
  来文单位?: ReadField;
  文号?: ReadField;
  标题?: ReadField;
  主送?: ReadField;
  紧急程度?: ReadField;
  成文日期?: ReadField;
  印发日期?: ReadField;
  签发人?: ReadField;
  份号?: ReadField;
}

const field = (value: string, certainty: Certainty, from: string): ReadField => ({ value, certainty, from });

// 浙江省人民政府常务会议纪要 → 浙江省人民政府: the organ whose meeting it records
const MEETING = /(?:常务|专题|办公|联席|工作|主任|常委|党组|全体)?(?:会议)?纪要$/;

export function readLayout(pages: string[][]): LayoutReading {
  const lines = readLines(pages);
  const head = readHead(lines);
  const tail = readTail(lines);
  const to = Math.max(tail.start, head.end);
  const withHead = head.form !== null || head.number !== undefined;
  const read: LayoutReading = {};

  const title = readTitle(lines, head.end, to);
  const underTitle = title ? readAddressees(lines, title.end, to) : null;
  // a title that does not end in its 文种 is taken only when a 主送 under it shows where it ends
  const titled = title && (title.ended || underTitle) ? title : null;
  if (titled) read.标题 = field(titled.value, !titled.ended ? 'guess' : withHead ? 'sure' : 'likely', '标题');
  else if (head.form === '纪要' && head.mark) read.标题 = field(head.mark, 'likely', '纪要标志');
  const addressees = titled ? underTitle : readAddressees(lines, head.end, to);
  if (addressees) read.主送 = field(addressees.value, titled ? 'sure' : 'likely', '主送机关');
  const closing = readClosing(lines, addressees?.end ?? titled?.end ?? head.end, to);

  if (head.organs && head.organs.length > 0) {
    const signed = closing?.organs ?? [];
    // a joint mark may name only the 主办机关, or print its names so they cannot be told apart; the 落款 names them all
    const joint = signed.length > head.organs.length && (signed.join('') === head.organs.join('') || head.organs.every((o) => signed.includes(o)));
    const sure = head.form === '文件' || head.number !== undefined;
    read.来文单位 = joint ? field(signed.join('、'), 'sure', '版头发文机关标志、落款') : field(head.organs.join('、'), sure ? 'sure' : 'likely', '版头发文机关标志');
  } else if (head.form === '命令' && head.mark) {
    read.来文单位 = field(head.mark.slice(0, -1), 'sure', '命令标志');
  } else if (head.form === '纪要' && head.mark && isOrganName(head.mark.replace(MEETING, ''))) {
    read.来文单位 = field(head.mark.replace(MEETING, ''), 'likely', '纪要标志');
  } else if (head.issued) {
    read.来文单位 = field(head.issued.organ, 'likely', '纪要版头');
  } else if (closing && closing.organs.length > 0) {
    read.来文单位 = field(closing.organs.join('、'), 'likely', '落款');
  } else if (tail.organ) {
    read.来文单位 = field(tail.organ, 'guess', '版记印发机关');
  }

  if (head.number) read.文号 = field(head.number, head.form !== null ? 'sure' : 'likely', '版头发文字号');
  else if ((head.form === '命令' || head.form === '纪要') && head.mark && head.serial) read.文号 = field(head.mark + head.serial, 'likely', head.form === '命令' ? '命令标志、令号' : '纪要标志、编号');

  if (head.form === '纪要' && head.issued) read.成文日期 = field(head.issued.date, 'likely', '纪要版头');
  else if (closing) read.成文日期 = field(closing.date, closing.organs.length > 0 || head.form === '命令' ? 'sure' : 'likely', '落款');

  if (tail.date) read.印发日期 = field(tail.date, 'sure', '版记印发日期');
  if (head.signer) read.签发人 = field(head.signer.join('、'), 'sure', '版头签发人');
  if (head.urgency) read.紧急程度 = field(/特急|加急|平急/.exec(head.urgency)![0], 'sure', '版头紧急程度');
  if (head.copy) read.份号 = field(/\d+/.exec(fold(head.copy))![0], 'sure', '版头份号');
  return read;
}
