// Lines as extraction gives them: letter-spaced organ marks, stray spaces, a page number or a rule
// drawn as characters, full- and half-width forms mixed. Every reader here matches on `folded`
// and returns slices of `text` at the same offsets, so a value keeps the characters it was
// printed with (the caller decides how to normalise a 文号).

export interface Line {
  page: number;
  /** the line as extracted, trimmed: its gaps still tell apart names printed side by side */
  raw: string;
  /** without its spaces, which in Chinese print are letter-spacing or extraction noise */
  text: string;
  /** `text` with full-width ASCII folded to ASCII, character for character */
  folded: string;
}

const LATIN = /[A-Za-z\uff21-\uff3a\uff41-\uff5a]/;
const SPACES = /[\s\u200b\ufeff]+/g;

/** Drops whitespace, except one space between two Latin letters (a word break in 'Open Data'). */
export function squeeze(s: string): string {
  return s.replace(SPACES, (gap, at: number, all: string) => (LATIN.test(all[at - 1] ?? '') && LATIN.test(all[at + gap.length] ?? '') ? ' ' : ''));
}

/** Full-width ASCII (ＡＢ１２：（）) to ASCII; one character for one, so offsets carry over. */
export function fold(s: string): string {
  return s.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

// '— 2 —', '- 2 -', '第 2 页 共 5 页', '2/5': the page number of GB/T 9704 and of other producers
const PAGE_NUMBER = /^(?:[-—–―─~]*\d{1,4}[-—–―─~]*|第\d{1,4}页(?:[,/]?共\d{1,4}页)?|\d{1,4}\/\d{1,4})$/;
// the 版头 and 版记 rules when a producer draws them with characters (the 党委 form puts a ★ in the middle)
const RULE = /^[-—–―─━═_=~·•★☆\u2500-\u257f]+$/;

export function isNoise(folded: string): boolean {
  return folded === '' || PAGE_NUMBER.test(folded) || (RULE.test(folded) && !/^[★☆]$/.test(folded));
}

export function toLine(raw: string, page: number): Line {
  const trimmed = raw.trim();
  const text = squeeze(trimmed);
  return { page, raw: trimmed, text, folded: fold(text) };
}

/** Every page's lines in reading order, without page numbers, drawn rules and empty lines. */
export function readLines(pages: readonly (readonly string[])[]): Line[] {
  return pages.flatMap((lines, page) => lines.map((raw) => toLine(raw, page)).filter((l) => !isNoise(l.folded)));
}

/**
 * The pieces of a raw line between its spaces, each a candidate boundary between two names. A
 * space may be letter-spacing (浙 江 省), a gap between names printed apart, or noise: extraction
 * keeps one space for a wide gap and may drop narrow ones, so the count tells nothing and the
 * readers judge each boundary by the words around it.
 */
export function piecesOf(raw: string): string[] {
  return raw.split(/[\s\u200b\ufeff]+/).filter((p) => p !== '');
}
