// DOCX text with mammoth: its document tree, taken as mammoth has read it (runs, content controls,
// text boxes, tracked changes resolved), each paragraph a line. Not its raw text, which drops line
// and page breaks. A DOCX is not laid out into pages: the pages here are split at explicit page
// breaks, and the count is what the producer recorded when it last laid the file out
// (docProps/app.xml), or those pages.
import mammoth from 'mammoth';
import type { Paged } from './lines';
import { openZip } from './zip';

interface Element {
  type: string;
  value?: string;
  breakType?: string;
  children?: Element[];
}

function toPages(document: Element): string[][] {
  const pages: string[][] = [[]];
  let line = '';
  const endLine = () => {
    const text = line.replace(/\s+/g, ' ').trim();
    if (text) pages.at(-1)!.push(text);
    line = '';
  };
  const walk = (element: Element) => {
    if (element.type === 'text') line += element.value ?? '';
    else if (element.type === 'tab') line += ' ';
    else if (element.type === 'break') {
      endLine();
      if (element.breakType === 'page') pages.push([]);
    } else {
      for (const child of element.children ?? []) walk(child);
      if (element.type === 'paragraph') endLine();
    }
  };
  walk(document);
  // a break ending the last page starts no page of its own
  while (pages.length > 1 && pages.at(-1)!.length === 0) pages.pop();
  return pages;
}

const utf8 = new TextDecoder();

export async function readDocx(bytes: Uint8Array): Promise<Paged> {
  const zip = openZip(bytes);
  // JSZip, inside mammoth, inflates an entry to whatever size it turns out to have: each is first
  // inflated here, where a lie about its size or a total over the cap makes the file broken
  for (const name of zip.names) zip.read(name);
  const recorded = zip.has('docProps/app.xml') ? /<(?:\w+:)?Pages>\s*(\d+)\s*</.exec(utf8.decode(zip.read('docProps/app.xml')))?.[1] : undefined;

  let tree: Element | undefined;
  await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
    {
      transformDocument: (document: Element) => (tree = document),
      // images are not read: only their place in the HTML, which is not used
      convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
    },
  );
  if (!tree) throw new Error('DOCX without a document');
  const pages = toPages(tree);
  return { pages, pageCount: Number(recorded) || pages.length };
}
