// Text placed on a page (PDF text runs, OFD text codes) into the page's lines. Producers place a
// line whole, word by word, or character by character (letter-spaced organ marks, WPS), so lines
// are found by the baseline, not by how the text was cut up.

/** What a format's reader gives: each page's lines, and how many pages the file has. */
export interface Paged {
  pages: string[][];
  pageCount: number;
}

export interface Placed {
  text: string;
  /** left edge */
  x: number;
  /** baseline, growing down the page */
  y: number;
  /** advance of the whole text; 0 when unknown */
  width: number;
  /** font size, in the same unit */
  size: number;
}

const charWidth = (p: Placed) => (p.width > 0 ? p.width / Math.max([...p.text].length, 1) : p.size);

/** One line from text on one baseline: a single space where a visible gap (over 1.5 characters) separates two pieces. */
function joinLine(pieces: Placed[]): string {
  pieces.sort((a, b) => a.x - b.x);
  let line = '';
  let last: Placed | undefined;
  for (const piece of pieces) {
    if (last) {
      const end = last.x + (last.width || charWidth(last) * [...last.text].length);
      // the same text drawn again a hair to the side is faked bold, not a second copy
      if (piece.text === last.text && Math.abs(piece.x - last.x) < charWidth(last) * 0.2) continue;
      if (piece.x - end > charWidth(last) * 1.5) line += ' ';
    }
    line += piece.text;
    last = piece;
  }
  return line.replace(/\s+/g, ' ').trim();
}

/** The page's lines, top to bottom; text on baselines closer than 0.4 of the font size is one line. */
export function toLines(placed: Placed[]): string[] {
  const sorted = placed.filter((p) => p.text.length > 0).sort((a, b) => a.y - b.y);
  const groups: Placed[][] = [];
  for (const p of sorted) {
    const group = groups.at(-1);
    if (group && p.y - group[0]!.y <= Math.min(p.size, group[0]!.size) * 0.4) group.push(p);
    else groups.push([p]);
  }
  return groups.map(joinLine).filter((line) => line.length > 0);
}
