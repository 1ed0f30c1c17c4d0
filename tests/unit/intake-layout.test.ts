import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLayout, type LayoutReading } from '../../src/intake/layout';
import { readLines } from '../../src/intake/layout/lines';
import { SAMPLES, type Sample } from '../fixtures/gbt9704/samples';

const values = (read: LayoutReading) => Object.fromEntries(Object.entries(read).map(([k, v]) => [k, v.value]));
const sample = (start: string): Sample => SAMPLES.find((s) => s.name.startsWith(start))!;

/** Inserts each whitespace at its position (counted in the original line). */
function insert(line: string, insertions: [number, string][]): string {
  const chars = [...line];
  for (const [at, ws] of [...insertions].sort((a, b) => b[0] - a[0])) chars.splice(Math.min(at, chars.length), 0, ws);
  return chars.join('');
}
const whitespace = fc.constantFrom(' ', '  ', '\u3000', '\t', ' \u3000 ', '\u00a0');
const spaced = (line: string) => fc.array(fc.tuple(fc.nat({ max: [...line].length }), whitespace), { maxLength: 4 }).map((ins) => insert(line, ins));
// the names after 签发人 are told apart by the spaces between them only: they are left as printed
const spacedLine = (line: string) => {
  const at = line.indexOf('签发人');
  return at < 0 ? spaced(line) : spaced(line.slice(0, at)).map((head) => head + line.slice(at));
};
const spacedPages = (pages: string[][]) => fc.tuple(...pages.map((page) => fc.tuple(...page.map(spacedLine))));

describe('readLayout on the samples', () => {
  it.each(SAMPLES.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    expect(values(readLayout(s.pages))).toEqual(s.expected);
  });

  it('says where each field was read and how sure it is', () => {
    const where = (start: string) => Object.fromEntries(Object.entries(readLayout(sample(start).pages)).map(([k, v]) => [k, `${v.certainty} ${v.from}`]));
    expect(where('下行文通知')).toEqual({
      来文单位: 'sure 版头发文机关标志',
      文号: 'sure 版头发文字号',
      标题: 'sure 标题',
      主送: 'sure 主送机关',
      成文日期: 'sure 落款',
      印发日期: 'sure 版记印发日期',
    });
    expect(where('上行文请示')).toMatchObject({ 签发人: 'sure 版头签发人' });
    expect(where('机密★1年')).toMatchObject({ 份号: 'sure 版头份号', 紧急程度: 'sure 版头紧急程度' });
    expect(where('函')).toMatchObject({ 来文单位: 'sure 版头发文机关标志', 文号: 'sure 版头发文字号' });
    expect(where('纪要')).toEqual({
      来文单位: 'likely 纪要标志',
      文号: 'likely 纪要标志、编号',
      标题: 'likely 纪要标志',
      成文日期: 'likely 纪要版头',
      印发日期: 'sure 版记印发日期',
    });
    expect(where('政府令')).toEqual({ 来文单位: 'sure 命令标志', 文号: 'likely 命令标志、令号', 成文日期: 'sure 落款' });
    expect(where('无发文机关标志')).toMatchObject({ 来文单位: 'likely 落款', 标题: 'likely 标题' });
    expect(where('版头为图片')).toMatchObject({ 来文单位: 'guess 版记印发机关', 文号: 'likely 版头发文字号', 成文日期: 'likely 落款' });
  });

  it('reads the same whatever whitespace extraction left in the lines', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES).chain((s) => fc.tuple(fc.constant(s), spacedPages(s.pages))), ([s, pages]) => {
        expect(values(readLayout(pages))).toEqual(s.expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reads the same when wide gaps come as one space and narrow ones as none, as a PDF reader joins items', () => {
    const joined = (line: string) => line.replace(/\s+/g, (gap) => (gap.length > 1 || gap === '\u3000' ? ' ' : ''));
    for (const s of SAMPLES) expect(values(readLayout(s.pages.map((page) => page.map(joined)))), s.name).toEqual(s.expected);
  });
});

describe('the 发文机关标志', () => {
  const ORGANS = [
    '浙江省人民政府',
    '浙江省人民政府办公厅',
    '中共浙江省委办公厅',
    '浙江省发展和改革委员会',
    '浙江省卫生健康委员会',
    '杭州市西湖区人民政府',
    '清溪县应急管理局',
    '清溪县人民政府办公室',
    '浙江省人民政府国有资产监督管理委员会',
    '国家税务总局浙江省税务局',
    '国务院办公厅',
    '中共清溪县委',
    '中共清溪县委保密委员会办公室',
    '浙江省防汛防台抗旱指挥部',
    '宁波市镇海区城市管理局',
  ];
  const document = (mark: string[]) => [[...mark, '某政发〔2026〕1号', '关于做好年度工作的通知', '各有关单位：', '请认真贯彻执行。', '2026年1月5日']];

  it('gives the same 来文单位 with whitespace anywhere in the mark', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORGANS).chain((organ) => fc.tuple(fc.constant(organ), spaced(`${organ}文件`))), ([organ, mark]) => {
        expect(readLayout(document([mark])).来文单位).toEqual({ value: organ, certainty: 'sure', from: '版头发文机关标志' });
      }),
      { numRuns: 500 },
    );
  });

  it('tells apart two organs of a joint mark with whitespace anywhere in it', () => {
    // the second name begins with a place or the Party, as names printed side by side do
    const second = ORGANS.filter((o) => /^(?:中共)?[\u4e00-\u9fa5]{1,4}[省市县]/.test(o) && !o.startsWith('国家'));
    fc.assert(
      fc.property(
        fc.tuple(fc.constantFrom(...ORGANS.filter((o) => o !== '国家税务总局浙江省税务局')), fc.constantFrom(...second)).filter(([a, b]) => a !== b),
        fc.boolean(),
        ([a, b], stacked) =>
          fc.assert(
            fc.property(stacked ? fc.tuple(spaced(a), spaced(`${b}文件`)) : spaced(`${a} ${b} 文件`).map((l) => [l]), (mark) => {
              expect(readLayout(document(mark)).来文单位?.value).toBe(`${a}、${b}`);
            }),
            { numRuns: 5 },
          ),
      ),
      { numRuns: 200 },
    );
  });

  it('reads a mark printed as 文件 between two stacked names, or 文件 beside the second', () => {
    for (const mark of [
      ['浙江省财政厅', '文件', '浙江省教育厅'],
      ['浙江省财政厅', '浙江省教育厅 文件'],
      ['浙江省财政厅   浙江省教育厅   文 件'],
      ['国家发展改革委 教育部 文件'],
    ]) {
      const organs = mark.join(' ').includes('教育部') ? '国家发展改革委、教育部' : '浙江省财政厅、浙江省教育厅';
      expect(readLayout(document(mark)).来文单位?.value, mark.join('|')).toBe(organs);
    }
  });

  it('names both organs when the mark names only the 主办机关 and the 落款 both', () => {
    const read = readLayout([['浙江省财政厅文件', '浙财教〔2026〕3号', '关于下达补助资金的通知', '各市财政局、教育局：', '现下达补助资金。', '浙江省财政厅 浙江省教育厅', '2026年5月12日']]);
    expect(read.来文单位).toEqual({ value: '浙江省财政厅、浙江省教育厅', certainty: 'sure', from: '版头发文机关标志、落款' });
  });

  it('takes names without 文件 as a 信函 mark only with a 文号 under them: else they begin the title', () => {
    const forwarded = [['浙江省人民政府办公厅转发省发展改革委', '关于推进县域经济高质量发展意见的通知', '各市、县（市、区）人民政府：', '现将该意见转发给你们，请认真贯彻执行。', '浙江省人民政府办公厅', '2026年2月3日']];
    expect(values(readLayout(forwarded))).toEqual({
      标题: '浙江省人民政府办公厅转发省发展改革委关于推进县域经济高质量发展意见的通知',
      主送: '各市、县（市、区）人民政府',
      来文单位: '浙江省人民政府办公厅',
      成文日期: '2026-02-03',
    });
    expect(readLayout(forwarded).来文单位?.from).toBe('落款');
  });

  it('reads a Word document, where a line is a whole paragraph and the 签发人 is a tab away', () => {
    const read = readLayout([
      [
        '杭州市人民政府文件',
        '杭政〔2026〕8号\t\t签发人：王五',
        '杭州市人民政府关于申请设立杭州临空经济示范区的请示',
        '省人民政府：',
        '为深入实施临空经济发展战略，推动机场与城市融合发展，我市在充分论证的基础上，拟申请设立杭州临空经济示范区。现将有关情况请示如下：',
        '妥否，请批示。',
        '杭州市人民政府',
        '2026年4月8日',
      ],
    ]);
    expect(values(read)).toEqual({ 来文单位: '杭州市人民政府', 文号: '杭政〔2026〕8号', 签发人: '王五', 标题: '杭州市人民政府关于申请设立杭州临空经济示范区的请示', 主送: '省人民政府', 成文日期: '2026-04-08' });
  });

  it('reads a mark with rules drawn as characters and page furniture around it', () => {
    const read = readLayout([['— 1 —', '清溪县人民政府文件', '清政发〔2026〕7号', '━━━━━━━━━━━━━━━━', '———————★———————', '清溪县人民政府关于调整工作机构的通知', '各乡镇人民政府：', '现将有关事项通知如下。', '清溪县人民政府', '2026年3月2日']]);
    expect(values(read)).toEqual({ 来文单位: '清溪县人民政府', 文号: '清政发〔2026〕7号', 标题: '清溪县人民政府关于调整工作机构的通知', 主送: '各乡镇人民政府', 成文日期: '2026-03-02' });
  });
});

describe('the 版头 marks', () => {
  const head = (...lines: string[]) => readLayout([[...lines, '关于做好有关工作的通知', '各有关单位：', '请遵照执行。', '2026年1月5日']]);

  it.each([
    ['浙政办发〔2026〕12号'],
    ['浙政办发[2026]12号'],
    ['浙政办发（2026）12号'],
    ['浙政办发(2026)12号'],
    ['浙政办发【2026】12号'],
    ['浙政办发［2026］12号'],
    ['浙政办发〔2026〕第12号'],
  ])('returns the 文号 %s as printed', (number) => {
    expect(head('浙江省人民政府办公厅文件', number).文号?.value).toBe(number);
  });

  it('returns a letter-spaced 文号 without its spaces', () => {
    expect(head('浙江省人民政府办公厅文件', '浙 政 办 发 〔 2026 〕 12 号').文号?.value).toBe('浙政办发〔2026〕12号');
  });

  it('never takes a 文号 quoted in the body', () => {
    const read = readLayout([['关于转发有关文件的通知', '各单位：', '现将《省政府关于做好防汛工作的通知》', '浙政发〔2025〕12号', '转发给你们。', '2026年1月5日']]);
    expect(read.文号).toBeUndefined();
  });

  it.each([
    [['杭政〔2026〕8号   签发人：王五'], '王五'],
    [['杭政〔2026〕8号 签 发 人 ： 王 五'], '王五'],
    [['杭政〔2026〕8号', '签发人：欧阳明'], '欧阳明'],
    [['杭政〔2026〕8号   签发人: 王五  李四'], '王五、李四'],
    [['杭政〔2026〕8号   签发人：王五', '李四'], '王五、李四'],
    [['杭政〔2026〕8号   签发人：王五、李四'], '王五、李四'],
  ])('reads the 签发人 of %j', (lines, signer) => {
    expect(head('杭州市人民政府文件', ...lines).签发人).toEqual({ value: signer, certainty: 'sure', from: '版头签发人' });
  });

  it.each([
    [['特急'], '特急'],
    [['加 急'], '加急'],
    [['平急'], '平急'],
    [['紧急程度：特急'], '特急'],
    [['000001', '特急'], '特急'],
    [['000001   秘密★1年   加急'], '加急'],
  ])('reads the 紧急程度 of %j', (marks, urgency) => {
    expect(head(...marks, '浙江省人民政府文件', '浙政发〔2026〕3号').紧急程度?.value).toBe(urgency);
  });

  it('leaves 紧急程度 and 份号 out when the 版头 has none, and a body word 特急 is none', () => {
    const read = readLayout([['浙江省人民政府文件', '浙政发〔2026〕3号', '关于处置特急事项的通知', '各市人民政府：', '特急', '2026年1月5日']]);
    expect(read.紧急程度).toBeUndefined();
    expect(read.份号).toBeUndefined();
  });

  it.each([['000123'], ['0 0 0 1 2 3'], ['份号：000123'], ['０００１２３']])('reads the 份号 %s', (copy) => {
    expect(head(copy, '浙江省人民政府文件', '浙政发〔2026〕3号').份号?.value).toMatch(/^(?:000123|０００１２３)$/);
  });
});

describe('the 标题 and the 主送', () => {
  it('joins a title over three lines, and a title broken just after a 文种 it quotes', () => {
    const three = readLayout([['浙江省人民政府文件', '浙政发〔2026〕3号', '浙江省人民政府关于印发浙江省', '推进新型城镇化建设', '实施方案的通知', '各市、县（市、区）人民政府：', '现印发给你们。', '2026年1月5日']]);
    expect(three.标题?.value).toBe('浙江省人民政府关于印发浙江省推进新型城镇化建设实施方案的通知');
    const quoted = readLayout([['清溪县人民政府办公室文件', '清政办发〔2026〕3号', '关于转发市政府办公室关于做好春运工作的通知', '的通知', '各乡镇人民政府：', '现转发给你们。', '2026年1月5日']]);
    expect(quoted.标题?.value).toBe('关于转发市政府办公室关于做好春运工作的通知的通知');
  });

  it('keeps a (试行) after the 文种', () => {
    const read = readLayout([['关于印发工作规则的通知（试行）', '各单位：', '现印发给你们。', '2026年1月5日']]);
    expect(read.标题?.value).toBe('关于印发工作规则的通知（试行）');
  });

  it('guesses a title not ending in its 文种 only when a 主送 follows it', () => {
    const read = readLayout([['浙江省人民政府文件', '浙政发〔2026〕3号', '浙江省人民政府关于表彰先进集体', '各市、县（市、区）人民政府：', '现予表彰。', '2026年1月5日']]);
    expect(read.标题).toEqual({ value: '浙江省人民政府关于表彰先进集体', certainty: 'guess', from: '标题' });
    const none = readLayout([['浙江省人民政府令', '第5号', '现予公布', '自公布之日起施行。', '省长 王五', '2026年1月5日']]);
    expect(none.标题).toBeUndefined();
  });

  it('reads a 主送 over two lines, and no 主送 from a body sentence ending in a colon', () => {
    const two = readLayout([['关于做好有关工作的通知', '各市、县（市、区）人民政府，省政府直属各单位，', '各有关单位：', '请遵照执行。', '2026年1月5日']]);
    expect(two.主送?.value).toBe('各市、县（市、区）人民政府，省政府直属各单位，各有关单位');
    const none = readLayout([['关于做好有关工作的通知', '为做好有关工作，现将有关事项通知如下：', '一、提高认识。', '2026年1月5日']]);
    expect(none.主送).toBeUndefined();
  });
});

describe('the 落款 and the 版记', () => {
  const closing = (...lines: string[]) => readLayout([['关于做好有关工作的通知', '各有关单位：', '请遵照执行。', ...lines]]);

  it.each([
    ['2026年11月20日', '2026-11-20'],
    ['2026 年 11 月 20 日', '2026-11-20'],
    ['２０２６年１１月２０日', '2026-11-20'],
    ['二〇二六年十一月二十日', '2026-11-20'],
    ['二○二六年一月九日', '2026-01-09'],
    ['二零二六年十二月三十一日', '2026-12-31'],
    ['二〇二六年十月十日', '2026-10-10'],
    ['二〇二四年二月二十九日', '2024-02-29'],
  ])('reads the 成文日期 %s', (date, iso) => {
    expect(closing('清溪县人民政府', date).成文日期).toEqual({ value: iso, certainty: 'sure', from: '落款' });
  });

  it.each([['2026年2月30日'], ['2026年13月1日'], ['二〇二六年十三月一日'], ['二〇二六年二月三十日'], ['二〇二六年十十月一日']])('leaves out a date that is no day: %s', (date) => {
    expect(closing('清溪县人民政府', date).成文日期).toBeUndefined();
  });

  it('takes the 落款 of the document, not the date of an attachment after it', () => {
    const read = closing('附件：实施方案', '清溪县人民政府', '2026年3月1日', '（此件公开发布）', '附件', '实施方案', '清溪县应急管理局', '2026年2月20日');
    expect(read.成文日期?.value).toBe('2026-03-01');
    expect(read.来文单位?.value).toBe('清溪县人民政府');
  });

  it('reads a 印发 line the extraction split in two, and one without a date', () => {
    const split = closing('2026年3月1日', '抄送：县委办公室。', '清溪县人民政府办公室', '2026年3月2日印发');
    expect(split.印发日期?.value).toBe('2026-03-02');
    expect(split.来文单位).toEqual({ value: '清溪县人民政府办公室', certainty: 'guess', from: '版记印发机关' });
    const undated = closing('抄送：县委办公室。', '清溪县人民政府办公室印发');
    expect(undated.印发日期).toBeUndefined();
    expect(undated.来文单位?.value).toBe('清溪县人民政府办公室');
  });

  it('takes no 印发 line from the body', () => {
    const read = readLayout([['关于做好有关工作的通知', '各有关单位：', '《清溪县实施方案》已于', '2026年3月2日印发', '请遵照执行。']]);
    expect(read.印发日期).toBeUndefined();
  });
});

describe('what readLayout never does', () => {
  const TEXT = [...'浙江省清溪县人民政府办公厅室局委文件关于的通知请示函纪要令〔〕[]（）2026年月日号第：:，。、签发人机密秘密★特急加急份号各市印发抄送 　—1二〇十'];
  const noisyLine = fc.oneof(fc.string({ unit: fc.constantFrom(...TEXT), maxLength: 30 }), fc.constantFrom(...SAMPLES.flatMap((s) => s.pages.flat())));
  const noisyPages = fc.array(fc.array(noisyLine, { maxLength: 14 }), { maxLength: 3 });

  it('returns nothing for nothing', () => {
    expect(readLayout([])).toEqual({});
    expect(readLayout([[], ['', '   ', '— 1 —']])).toEqual({});
  });

  it('never throws, and reads no value that is not in the text', () => {
    fc.assert(
      fc.property(noisyPages, (pages) => {
        const read = readLayout(pages);
        const text = readLines(pages)
          .map((l) => l.text)
          .join('');
        for (const [key, field] of Object.entries(read)) {
          expect(['sure', 'likely', 'guess']).toContain(field.certainty);
          expect(field.from).not.toBe('');
          if (key === '成文日期' || key === '印发日期') {
            expect(field.value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
            expect(new Date(`${field.value}T00:00:00Z`).toISOString().slice(0, 10)).toBe(field.value);
            continue;
          }
          expect(field.value).not.toBe('');
          for (const part of field.value.split('、')) expect(text).toContain(part);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on any text at all', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 20 }), { maxLength: 3 }), (pages) => {
        readLayout(pages);
      }),
    );
  });
});
