import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secrecyMark, type SecrecyLevel } from '../../src/intake/secrecy';
import { SAMPLES } from '../fixtures/gbt9704/samples';

const page = (...lines: string[]) => [['浙江省人民政府办公厅文件', '浙政办发〔2026〕12号', ...lines, '关于做好有关工作的通知', '各有关单位：', '请遵照执行。']];

describe('secrecyMark', () => {
  it.each(SAMPLES.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    expect(secrecyMark(s.pages)).toEqual(s.secret ?? null);
  });

  it.each([
    ['机密★1年', '机密', '机密★1年'],
    ['机密 ★ 1年', '机密', '机密★1年'],
    ['机 密 ★ 1 年', '机密', '机密★1年'],
    ['绝密★长期', '绝密', '绝密★长期'],
    ['秘密★6个月', '秘密', '秘密★6个月'],
    ['秘密★十年', '秘密', '秘密★十年'],
    ['机密★2027年12月31日', '机密', '机密★2027年12月31日'],
    ['机密＊１年', '机密', '机密＊１年'],
    ['机密☆1年', '机密', '机密☆1年'],
    // a symbol font's ★ as pdf.js gives it back (Wingdings, private-use U+F0AB)
    ['机密\uf0ab1年', '机密', '机密\uf0ab1年'],
    ['绝密✩长期', '绝密', '绝密✩长期'],
    ['机密★', '机密', '机密★'],
    ['★秘密', '秘密', '★秘密'],
    ['秘密', '秘密', '秘密'],
    ['绝  密', '绝密', '绝密'],
    ['机密级', '机密', '机密级'],
    ['（机密）', '机密', '（机密）'],
    ['【秘密】', '秘密', '【秘密】'],
    ['密级：机密', '机密', '密级：机密'],
    ['密级: 绝密★10年', '绝密', '绝密★10年'],
    ['密 级 ： 秘 密', '秘密', '密级：秘密'],
    ['000001   机密   特急', '机密', '机密'],
    ['000001机密1年', '机密', '机密1年'],
    ['机密★1年      浙政发〔2026〕3号', '机密', '机密★1年'],
  ])('finds the mark %s', (line, level, mark) => {
    expect(secrecyMark(page(line))).toEqual({ level, mark });
  });

  it('finds a mark on a later page, in a running header or standing alone in the body', () => {
    expect(secrecyMark([['关于做好有关工作的通知', '请遵照执行。'], ['机密★1年', '二、加强管理。']])).toEqual({ level: '机密', mark: '机密★1年' });
    expect(secrecyMark([['关于做好有关工作的通知', '一、总体要求', '秘密', '二、加强管理。']])).toEqual({ level: '秘密', mark: '秘密' });
  });

  it('gives the highest level when a document carries several', () => {
    expect(secrecyMark([['秘密★6个月', '关于做好有关工作的通知'], ['附件', '绝密★长期', '机密']])).toEqual({ level: '绝密', mark: '绝密★长期' });
  });

  it.each([
    ['严格遵守保守国家秘密法'],
    ['不得涉及国家秘密'],
    ['政务信息公开前须经保密审查，不得涉及国家秘密。'],
    ['涉密文件按绝密、机密、秘密三个密级分类管理'],
    ['国家秘密的密级分为绝密、机密、秘密三级。'],
    ['各单位要确定密级：秘密、机密、绝密'],
    ['绝密级文件由专人保管'],
    ['机密文件不得带出办公场所'],
    ['工作秘密'],
    ['商业秘密★'],
    ['密级：'],
    ['保密期限：长期'],
    ['内部资料 注意保存'],
    ['——————★——————'],
    ['★'],
    ['秘密1年以内的文件'],
    ['家秘密。'],
  ])('finds no mark in %s', (line) => {
    expect(secrecyMark(page(line))).toBeNull();
  });

  it('finds nothing in nothing', () => {
    expect(secrecyMark([])).toBeNull();
    expect(secrecyMark([[], ['']])).toBeNull();
  });
});

describe('secrecyMark on generated text', () => {
  // sentences about secrets, each line with words around the level words: no line is a mark
  const WORDS = ['国家秘密', '保守国家秘密法', '绝密', '机密', '秘密', '保密', '涉密', '密级分类', '保密期限', '1年', '长期', '严格', '遵守', '各单位要', '不得涉及', '文件', '载体', '管理', '工作', '加强', '内部', '特急', '2026年', '、', '，', '。', '；', ' ', '\u3000', '“', '”', '（', '）'];
  const ORDINARY = ['各单位要', '严格遵守', '不得涉及', '加强管理', '按规定', '认真落实'];
  const sentence = fc
    .tuple(fc.array(fc.constantFrom(...WORDS), { maxLength: 8 }), fc.constantFrom(...ORDINARY), fc.array(fc.constantFrom(...WORDS), { maxLength: 8 }))
    .map(([before, word, after]) => [...before, word, ...after].join(''));
  const body = fc.array(fc.array(sentence, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 });

  it('finds no mark in body text that has none standing alone', () => {
    fc.assert(
      fc.property(body, (pages) => {
        expect(secrecyMark(pages)).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  const MARKS: [SecrecyLevel, string][] = [
    ['秘密', '秘密'],
    ['机密', '机密'],
    ['绝密', '绝密'],
    ['机密', '机密★1年'],
    ['绝密', '绝密★长期'],
    ['秘密', '秘密★6个月'],
    ['机密', '密级：机密'],
  ];
  const spaced = (text: string) =>
    fc.array(fc.tuple(fc.nat({ max: text.length }), fc.constantFrom(' ', '\u3000', '\t', '  ')), { maxLength: 4 }).map((ins) => {
      const chars = [...text];
      for (const [at, ws] of ins.sort((a, b) => b[0] - a[0])) chars.splice(at, 0, ws);
      return chars.join('');
    });

  it('finds a mark on a line of its own anywhere, however spaced', () => {
    fc.assert(
      fc.property(
        body,
        fc.constantFrom(...MARKS).chain(([level, mark]) => fc.tuple(fc.constant(level), spaced(mark))),
        fc.nat(),
        fc.nat(),
        (pages, [level, mark], p, l) => {
          const target = pages[p % pages.length]!;
          target.splice(l % (target.length + 1), 0, mark);
          expect(secrecyMark(pages)?.level).toBe(level);
        },
      ),
      { numRuns: 500 },
    );
  });
});
