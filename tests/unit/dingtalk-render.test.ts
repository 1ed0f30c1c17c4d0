// DingTalk markdown: a card's buttons as links that send the exact command in a private chat, as
// commands to send with an @ in a group; a form as the command to send back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Form } from '../../src/lib/reply';
import { renderDingtalk, sendLink } from '../../src/platforms/dingtalk/render';

const PREFIX = 'dtmd://dingtalkclient/sendMessage?content=';

/** The markdown links of a text: [label](target), the target read up to the first unescaped ")". */
function links(markdown: string): { label: string; command: string }[] {
  return [...markdown.matchAll(/(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)/g)].map(([, label, target]) => {
    expect(target!.startsWith(PREFIX)).toBe(true);
    return { label: label!.replace(/\\(.)/g, '$1'), command: decodeURIComponent(target!.slice(PREFIX.length)) };
  });
}

const card = {
  card: {
    title: 'DB-2026-0001 推进老旧小区改造',
    tone: 'info' as const,
    fields: [['牵头单位', '住建局']] as [string, string][],
    actions: [
      { label: '反馈', command: '督办反馈 DB-2026-0001 进展=' },
      { label: '办结', command: '督办办结 DB-2026-0001' },
      { label: '延期(1)', command: '督办延期 DB-2026-0001 理由=(资金) 新时限=2026-12-31' },
    ],
  },
};

describe('a card’s buttons', () => {
  it('in a private chat are links that send exactly the button’s command', () => {
    const content = renderDingtalk(card, 'private');
    if (content.kind !== 'markdown') throw new Error(content.kind);
    expect(links(content.markdown)).toEqual(card.card.actions.map(({ label, command }) => ({ label, command })));
    expect(content.markdown).not.toContain('`');
  });

  it('decode to any command, whatever it holds (parentheses, quotes, spaces, CJK, newlines)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60, unit: 'binary' }), fc.string({ minLength: 1, maxLength: 10 }), (command, label) => {
        const content = renderDingtalk({ card: { title: 't', tone: 'info', actions: [{ label, command }] } }, 'private');
        if (content.kind !== 'markdown') return false;
        expect(links(content.markdown)).toEqual([{ label, command }]);
        return true;
      }),
    );
  });

  it('in a group are the commands to send with an @, since a link’s message would not mention the robot', () => {
    const content = renderDingtalk(card, 'group');
    if (content.kind !== 'markdown') throw new Error(content.kind);
    expect(content.markdown).not.toContain('dtmd:');
    expect(content.markdown).toContain('可@我发送');
    expect(content.markdown).toContain('`督办办结 DB-2026-0001`');
  });

  it('escape what people typed, in the card and in a button’s label', () => {
    const content = renderDingtalk({ card: { title: 'SW-2026-0001', tone: 'info', lines: ['**[点我](https://evil.example)**'], fields: [['标题', '# 大标题 <at>']], actions: [{ label: '](x)', command: '公文办结 SW-2026-0001' }] } }, 'private');
    if (content.kind !== 'markdown') throw new Error(content.kind);
    expect(content.markdown).toContain('**\\[点我\\]\\(https://evil\\.example\\)**');
    expect(content.markdown).toContain('**标题**：\\# 大标题 \\<at\\>');
    expect(links(content.markdown)).toEqual([{ label: '](x)', command: '公文办结 SW-2026-0001' }]);
  });
});

describe('a form', () => {
  const form = (values: Record<string, string>): { form: Form } => ({
    form: {
      command: '收文登记',
      title: '收文登记',
      example: '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室',
      fields: [
        { name: '标题', input: 'text', required: true, ...(values['标题'] ? { value: values['标题'], given: true } : {}) },
        { name: '来文单位', input: 'text', required: true, ...(values['来文单位'] ? { value: values['来文单位'], given: true } : {}) },
        { name: '备注', input: 'long', required: false },
      ],
      fixed: { 文件: 'F3' },
    },
  });

  it('filled in (a draft read from a file) carries in a private chat a link that sends the whole command', () => {
    const content = renderDingtalk(form({ 标题: '关于做好冬季安全生产工作的通知', 来文单位: '县应急管理局' }), 'private');
    if (content.kind !== 'markdown') throw new Error(content.kind);
    expect(links(content.markdown)).toEqual([{ label: '核对无误，点此发送', command: '收文登记 标题=关于做好冬季安全生产工作的通知 来文单位=县应急管理局 文件=F3' }]);
  });

  it('keeps the note’s bold, and offers no link for a value over several lines, which one command line cannot carry', () => {
    const drafted = form({ 标题: '关于做好冬季安全生产工作的通知', 来文单位: '县应急管理局' });
    drafted.form.note = ['**已读取**：标题（可靠）'];
    const content = renderDingtalk(drafted, 'private');
    if (content.kind !== 'markdown') throw new Error(content.kind);
    expect(content.markdown.startsWith('**已读取**：标题（可靠）')).toBe(true);
    const twoLines = form({ 标题: '关于做好冬季安全生产工作的通知\n（第二行）', 来文单位: '县应急管理局' });
    expect(renderDingtalk(twoLines, 'private')).toMatchObject({ kind: 'text' });
  });

  it('with a field still missing, or in a group, is the text to complete and send', () => {
    const missing = renderDingtalk(form({ 标题: '关于做好冬季安全生产工作的通知' }), 'private');
    expect(missing).toMatchObject({ kind: 'text' });
    if (missing.kind === 'text') expect(missing.text).toContain('来文单位=…');
    expect(renderDingtalk(form({ 标题: 'a', 来文单位: 'b' }), 'group')).toMatchObject({ kind: 'text' });
  });
});

it('leaves a file to the sender, which uploads it: the reply names no path on the server', () => {
  const file = { path: '/srv/zwbot/data/exports/督办台账-2026-1.xlsx', name: '督办台账-2026-1.xlsx', caption: '2026年督办台账（100 行）' };
  expect(renderDingtalk({ file }, 'private')).toEqual({ kind: 'file', title: file.name, file });
});

it('encodes what would end a markdown link', () => {
  expect(sendLink('a (b) c')).toBe(`${PREFIX}a%20%28b%29%20c`);
});
