// OFD (GB/T 33190) text: a ZIP whose OFD.xml names the document (DocBody/DocRoot), whose
// Document.xml lists the pages (Pages/Page@BaseLoc) and the template pages they may draw on,
// each page's Content.xml holding TextObjects (Boundary "x y w h" in mm, y down the page) of
// TextCodes (X/Y of the first character within the boundary, DeltaX the advances after it).
// Producers (数科, 书生, WPS) differ on whether a BaseLoc is relative to the file naming it or to
// the package, so both are tried.
import { posix } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { toLines, type Paged, type Placed } from './lines';
import { openZip, type ZipPackage } from './zip';

type Node = Record<string, unknown>;

const LISTS = new Set(['DocBody', 'Page', 'TemplatePage', 'Template', 'Layer', 'PageBlock', 'TextObject', 'TextCode', 'CompositeObject']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // '2026' stays text, and a TextCode's spaces are kept
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => LISTS.has(name),
});

const utf8 = new TextDecoder();
const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'object' && value !== null && typeof (value as Node)['#text'] === 'string' ? ((value as Node)['#text'] as string) : '');
const numbers = (value: unknown): number[] => (typeof value === 'string' ? value.trim().split(/[\s,]+/).map(Number) : []);

/** The package path a location in `from` names: relative to that file's folder, else to the package. */
function locate(zip: ZipPackage, from: string, location: string): string {
  const trimmed = location.trim();
  if (trimmed.startsWith('/')) return trimmed.slice(1);
  const beside = posix.normalize(posix.join(posix.dirname(from), trimmed));
  return zip.has(beside) ? beside : posix.normalize(trimmed);
}

const readXml = (zip: ZipPackage, path: string): Node => parser.parse(utf8.decode(zip.read(path))) as Node;

/** DeltaX as one advance per gap: plain numbers, or 'g n v' for n gaps of v. */
function advances(deltaX: unknown): number[] {
  const tokens = typeof deltaX === 'string' ? deltaX.trim().split(/\s+/) : [];
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === 'g') {
      const count = Number(tokens[i + 1]);
      const value = Number(tokens[i + 2]);
      for (let n = 0; n < count && out.length < 100_000; n++) out.push(value);
      i += 2;
    } else out.push(Number(tokens[i]));
  }
  return out;
}

/** Every character of a text object, placed on the page. */
function placeText(object: Node, into: Placed[]): void {
  const [bx = 0, by = 0] = numbers(object['@Boundary']);
  const size = Number(object['@Size']) || 3.5;
  let x = 0;
  let y = 0;
  for (const code of list(object.TextCode)) {
    if (code['@X'] !== undefined) x = Number(code['@X']);
    if (code['@Y'] !== undefined) y = Number(code['@Y']);
    const steps = advances(code['@DeltaX']);
    [...text(code)].forEach((ch, i) => {
      // a character's own width is unknown without its font: full width for CJK, half for ASCII
      const own = ch.charCodeAt(0) < 0x80 ? size / 2 : size;
      const step = steps[i] ?? own;
      into.push({ text: ch, x: bx + x, y: by + y, width: Math.min(own, step), size });
      x += step;
    });
  }
}

/** The text objects anywhere under a node: in layers, page blocks, composite objects. */
function collect(node: unknown, into: Placed[]): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const child of node) collect(child, into);
    return;
  }
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === 'TextObject') for (const object of list(value)) placeText(object, into);
    else if (!key.startsWith('@') && key !== '#text') collect(value, into);
  }
}

export function readOfd(bytes: Uint8Array): Paged {
  const zip = openZip(bytes);
  const docBody = list((readXml(zip, 'OFD.xml').OFD as Node | undefined)?.DocBody)[0];
  const root = text(docBody?.DocRoot);
  if (!root) throw new Error('OFD without DocRoot');
  const docPath = locate(zip, 'OFD.xml', root);
  const document = readXml(zip, docPath).Document as Node | undefined;
  if (!document) throw new Error('OFD Document.xml without Document');
  const templates = new Map(list((document.CommonData as Node | undefined)?.TemplatePage).map((t) => [String(t['@ID']), String(t['@BaseLoc'] ?? '')]));
  const pageList = list((document.Pages as Node | undefined)?.Page);
  const pages = pageList.map((entry) => {
    const placed: Placed[] = [];
    const pagePath = locate(zip, docPath, String(entry['@BaseLoc'] ?? ''));
    // a page file's root is a Page too, parsed as a list like the Pages/Page entries
    const page = list(readXml(zip, pagePath).Page)[0];
    // a template page draws text (a header, the page number) under or over the page's own
    for (const use of list(page?.Template)) {
      const location = templates.get(String(use['@TemplateID']));
      if (location) collect(list(readXml(zip, locate(zip, docPath, location)).Page)[0]?.Content, placed);
    }
    collect(page?.Content, placed);
    return toLines(placed);
  });
  return { pages, pageCount: pageList.length };
}
