import { describe, expect, it } from 'vitest';
import { canonicalField } from '../../commands/kit/fields';
import { parseArguments, tokenize } from '../../src/engine/parser';

const fields = ['标题', '来文单位', '文号', '紧急程度', '办理时限', '备注'];
const parse = (rest: string, args: string[] = [], declared = fields) =>
  parseArguments(rest, declared, args, (typed) => canonicalField(declared, typed));

describe('tokenize', () => {
  it('splits on ASCII and full-width spaces and keeps quoted spaces', () => {
    expect(tokenize('a  b\u3000c “d e” "f g"').map((t) => t.text)).toEqual(['a', 'b', 'c', 'd e', 'f g']);
  });
  it('treats an unclosed quote as running to the end of the line', () => {
    expect(tokenize('标题=“关于 做好').map((t) => t.text)).toEqual(['标题=关于 做好']);
  });
});

describe('parseArguments', () => {
  it('reads 键=值 tokens with half- and full-width equals signs', () => {
    expect(parse('标题=关于做好防汛工作的通知 来文单位＝市政府办公室')).toEqual({
      ok: true,
      values: { 标题: '关于做好防汛工作的通知', 来文单位: '市政府办公室' },
    });
  });

  it('reads 键：值 lines with full- and half-width colons, values keeping their spaces', () => {
    expect(parse('\n标题：关于 2027 年工作要点\n来文单位: 省政府办公厅')).toEqual({
      ok: true,
      values: { 标题: '关于 2027 年工作要点', 来文单位: '省政府办公厅' },
    });
  });

  it('reads 键：值 as a token on one line', () => {
    expect(parse('标题：防汛 来文单位：市政府')).toEqual({ ok: true, values: { 标题: '防汛', 来文单位: '市政府' } });
  });

  it('accepts Chinese and ASCII quotes, keeping = and spaces inside them as content', () => {
    expect(parse('标题=“关于 a=b 的 通知” 备注="x y"')).toEqual({ ok: true, values: { 标题: '关于 a=b 的 通知', 备注: 'x y' } });
    expect(parse('标题= 「关于通知」')).toEqual({ ok: true, values: { 标题: '关于通知' } });
  });

  it.each(['标题 = 关于做好防汛工作的通知', '标题= 关于做好防汛工作的通知', '标题 =关于做好防汛工作的通知', '标题　＝　关于做好防汛工作的通知', '题目 = 关于做好防汛工作的通知'])(
    'reads %s, spaces around the equals sign, as one field',
    (text) => {
      expect(parse(`${text} 来文单位 = 市政府办公室`)).toEqual({ ok: true, values: { 标题: '关于做好防汛工作的通知', 来文单位: '市政府办公室' } });
    },
  );

  it('continues a value after 键 = 值 over plain words, and ends it at a quoted one', () => {
    expect(parse('标题 = 关于做好 防汛工作的通知 紧急程度 = 特急')).toEqual({ ok: true, values: { 标题: '关于做好 防汛工作的通知', 紧急程度: '特急' } });
    expect(parse('标题 = “关于 通知” 来文单位 =“市 政府”')).toEqual({ ok: true, values: { 标题: '关于 通知', 来文单位: '市 政府' } });
    // the quotes closed the value: a word after them is not part of it
    expect(parse('标题= “关于 通知” 另起')).toEqual({ ok: false, error: '多余的内容「另起」：此命令的字段要写成 键=值' });
  });

  it('reads 键 = 值 after a 键：值 line as a field of its own', () => {
    expect(parse('\n标题：防汛 来文单位 = 市政府')).toEqual({ ok: true, values: { 标题: '防汛', 来文单位: '市政府' } });
  });

  it('joins 键 = 值 only after a word naming a field: other text keeps its equals sign', () => {
    const declared = ['编号', '内容'];
    expect(parse('DB-2026-0001 已完成 a = b', declared, declared)).toEqual({ ok: true, values: { 编号: 'DB-2026-0001', 内容: '已完成 a = b' } });
    expect(parse('DB-2026-0001 内容 = 已完成', declared, declared)).toEqual({ ok: true, values: { 编号: 'DB-2026-0001', 内容: '已完成' } });
  });

  it('continues an unquoted value over following plain words', () => {
    expect(parse('标题=关于做好 防汛工作的通知 来文单位=市政府')).toEqual({
      ok: true,
      values: { 标题: '关于做好 防汛工作的通知', 来文单位: '市政府' },
    });
  });

  it('maps field-name aliases to the declared field', () => {
    expect(parse('题目=甲 发文字号=乙 期限=明天 缓急=特急')).toEqual({
      ok: true,
      values: { 标题: '甲', 文号: '乙', 办理时限: '明天', 紧急程度: '特急' },
    });
    expect(parse('办理时限=明天', [], ['时限'])).toEqual({ ok: true, values: { 时限: '明天' } });
  });

  it('assigns positional arguments in order, the last taking the rest', () => {
    expect(parse('SW-2026-0001 已 按要求 落实', ['登记号', '结果'], ['登记号', '结果'])).toEqual({
      ok: true,
      values: { 登记号: 'SW-2026-0001', 结果: '已 按要求 落实' },
    });
    expect(parse('SW-2026-0001', ['登记号', '结果'], ['登记号', '结果'])).toEqual({ ok: true, values: { 登记号: 'SW-2026-0001' } });
  });

  it('keeps a colon inside positional text as content', () => {
    expect(parse('DB-2026-0001 已召开专题会议：明确分工', ['编号', '内容'], ['编号', '内容'])).toEqual({
      ok: true,
      values: { 编号: 'DB-2026-0001', 内容: '已召开专题会议：明确分工' },
    });
  });

  it('refuses an unknown field name, listing the known ones', () => {
    const r = parse('标题=甲 颜色=红');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain('没有字段「颜色」');
    expect(!r.ok && r.error).toContain('来文单位');
  });

  it('refuses a field given twice, or by position and by name', () => {
    expect(parse('标题=甲 题目=乙').ok).toBe(false);
    expect(parse('SW-1 登记号=SW-2', ['登记号'], ['登记号']).ok).toBe(false);
  });

  it('refuses positional text for a command that takes none', () => {
    const r = parse('随便写点什么');
    expect(!r.ok && r.error).toContain('多余的内容');
  });
});
