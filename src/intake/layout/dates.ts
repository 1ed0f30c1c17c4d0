// Dates as a 公文 prints them: 2026年11月20日, or in Chinese numerals 二〇二六年十一月二十日 (GB/T
// 9704-1999 and many offices still write them so; 〇 is also typed as ○, 零 or the letter O).

const DIGIT: Record<string, number> = { '〇': 0, '○': 0, '零': 0, O: 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9 };

/** A date within folded text; its groups are year, month and day as printed. */
export const DATE = /(\d{4}|[〇○零O一二三四五六七八九]{4})年(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})日/;

function yearOf(s: string): number | null {
  if (/^\d{4}$/.test(s)) return Number(s);
  let n = 0;
  for (const c of s) {
    const d = DIGIT[c];
    if (d === undefined) return null;
    n = n * 10 + d;
  }
  return n;
}

/** 1–31 from '20' or from 二十, 十一, 三十一, 九; null for what is no number (十十, 一二). */
function smallNumberOf(s: string): number | null {
  if (/^\d{1,2}$/.test(s)) return Number(s);
  const [tens, ones, ...rest] = s.split('十');
  if (rest.length > 0) return null;
  if (ones === undefined) return tens!.length === 1 ? (DIGIT[tens!] ?? null) : null;
  const t = tens === '' ? 1 : tens!.length === 1 ? DIGIT[tens!] : undefined;
  const o = ones === '' ? 0 : ones.length === 1 ? DIGIT[ones] : undefined;
  return t === undefined || o === undefined || t === 0 ? null : t * 10 + o;
}

/** YYYY-MM-DD from the groups of a DATE match, or null when they name no day of the calendar. */
export function isoDate(year: string, month: string, day: string): string | null {
  const y = yearOf(year);
  const m = smallNumberOf(month);
  const d = smallNumberOf(day);
  if (y === null || m === null || d === null || y < 1949 || m < 1 || m > 12 || d < 1) return null;
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCMonth() !== m - 1) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The date a whole folded line is, or null. */
export function dateLine(folded: string): string | null {
  const m = new RegExp(`^${DATE.source}$`).exec(folded);
  return m ? isoDate(m[1]!, m[2]!, m[3]!) : null;
}
