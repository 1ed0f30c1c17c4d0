// Names of organs (机关): what a 发文机关标志, a 落款 or a 版记's 印发机关 holds. A name is known by
// how it ends (…人民政府, …办公厅, …局, …委); names printed together are told apart by where one
// ends and the next begins with a place (浙江省财政厅浙江省教育厅) or where the print leaves a gap
// between two complete names — never at a gap inside one name (浙江省人民政府  办公厅).
import { fold, piecesOf } from './lines';

const ORGAN_END = /(?:人民政府|政府|办公厅|办公室|委员会|常委会|人大|政协|党组|中心|公司|集团|法院|检察院|街道|[厅局委部院署办会室处科所站社馆队团组])$/;
// words that go on a name rather than start one: 办公厅 after 人民政府, 员会 after 委
const CONTINUES = /^(?:办公|公厅|公室|委员会|员会|常委会|常务委员会|党组|机关|直属|分局|支队|大队|派出|办事处)/;
// how a second name begins: a place, the Party, or a body of the state
// (a place's name has none of the characters that end an organ's: 公厅清溪县 is no place)
const PLACE = '[^\\P{Script=Han}厅局委办会部院署室处科所站社馆队团组府]{1,7}?(?:自治区|省|市|县|区|州|盟|旗)';
const STARTS = new RegExp(`^(?:中共|中国共产党|共青团|国家|国务院|中央|全国|中华人民共和国|${PLACE})`, 'u');
// the ministries of the State Council, which begin a name without a place (组织部 after 中共浙江省委 does not)
const MINISTRY = /^(?:外交|国防|教育|科学技术|科技|工业和信息化|工信|公安|国家安全|民政|司法|财政|人力资源和?社会保障|人社|自然资源|生态环境|住房和?城乡建设|住建|交通运输|水利|农业农村|商务|文化和旅游|文旅|退役军人事务|应急管理)部/;
const MAX_NAMES_LENGTH = 160;
const NOT_IN_A_NAME = /[,.;:!?，。；：！？、“”"《》]|关于/;

export function isOrganName(name: string): boolean {
  const folded = fold(name);
  return folded.length >= 2 && folded.length <= 40 && ORGAN_END.test(folded) && !NOT_IN_A_NAME.test(folded);
}

/** The place a name begins with (浙江省 of 中共浙江省委办公厅), to find the next name of the same place. */
function placeOf(name: string): string | null {
  const m = new RegExp(`^(?:中共)?(${PLACE})`, 'u').exec(name);
  return m ? m[1]! : null;
}

/** Splits a run of names of one place printed without gaps: 杭州市财政局杭州市审计局. */
function splitByPlace(name: string): string[] {
  const place = placeOf(name);
  if (!place) return [name];
  for (let at = place.length + 1; at <= name.length - place.length - 1; at++) {
    const head = name.slice(0, at);
    const rest = name.slice(at);
    if (!isOrganName(head) || !(rest.startsWith(place) || rest.startsWith(`中共${place}`))) continue;
    const tail = splitByPlace(rest);
    if (tail.every(isOrganName)) return [head, ...tail];
  }
  return [name];
}

/** Whether the text after a name, printed apart from it, begins a name of its own. */
function startsAName(name: string, rest: string): boolean {
  if (CONTINUES.test(rest)) return false;
  // 国家税务总局  浙江省税务局 is one organ: a 总局's branch in a place
  if (/总局$/.test(name) && !MINISTRY.test(rest)) return false;
  return STARTS.test(rest) || MINISTRY.test(rest);
}

/**
 * The names in pieces printed apart (the spaces of one line, or stacked lines): a boundary between
 * pieces separates two names where what is before it is a whole name and what follows begins one;
 * each name is then split where a name of the same place follows it without a space.
 */
export function organsIn(pieces: readonly string[]): string[] {
  const whole = pieces.join('');
  const names: string[] = [];
  let start = 0;
  let at = 0;
  for (const piece of pieces.slice(0, -1)) {
    at += piece.length;
    const name = whole.slice(start, at);
    if (isOrganName(name) && startsAName(name, whole.slice(at))) {
      names.push(name);
      start = at;
    }
  }
  if (start < whole.length) names.push(whole.slice(start));
  return names.flatMap(splitByPlace);
}

/** The names on one line, or null when it is not a line of names. */
export function organLine(raw: string): string[] | null {
  const pieces = piecesOf(raw);
  // a few names at most: a longer line is a sentence, and is not searched for boundaries
  if (pieces.join('').length > MAX_NAMES_LENGTH) return null;
  const names = organsIn(pieces);
  return names.length > 0 && names.every(isOrganName) ? names : null;
}
