// Forms on Feishu (issue 20, part 1): a registration command sent bare, or chosen from the bot
// menu, answers with a card JSON 2.0 form; submitting it is the same command through the engine,
// with the same rights and validation; a refusal comes back in the card, naming the field and
// keeping what was entered. The real server and SDK; only Feishu's HTTP API faked.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fieldElement, formSubmitEvent, menuEvent, messageEvent, submitValue, type FormCard } from '../fixtures/lark';
import { ENV, expectReply, expectSent, onlyLoopback, postTo, signedAt, startLarkBot } from '../fixtures/lark-bot';
import type { TestBot } from '../helpers';
import { MAX_OPTIONS } from '../../src/engine/forms';

let t: TestBot;
onlyLoopback();

const SYSTEM = { personId: null, identity: 'system:test', name: 'test', role: 'admin' as const, unitId: null, chat: null };

beforeEach(async () => {
  t = await startLarkBot({ ...ENV, LARK_MENU: 'in=收文登记,help=帮助' });
  await t.bot.db.tx(async () => {
    await t.bot.services.units.add('县应急管理局', '应急局', undefined, SYSTEM);
    await t.bot.services.units.add('县住建局', undefined, undefined, SYSTEM);
    await t.bot.services.units.add('县财政局', undefined, undefined, SYSTEM);
    await t.bot.services.people.grant({ platform: 'lark', userId: 'ou_leader' }, '王县长', 'leader', null, SYSTEM);
    await t.bot.services.people.grant({ platform: 'lark', userId: 'ou_staff' }, '李四', 'staff', null, SYSTEM);
  });
});
afterEach(async () => {
  await t.close();
  nock.cleanAll();
});

const post = (path: string, payload: unknown) => postTo(t, path, signedAt(t, payload));

/** Sends `text` as the admin in the private chat and returns the card Feishu was asked to reply with. */
async function askForForm(text: string, messageId: string): Promise<FormCard> {
  const { scope, bodies } = expectReply(messageId);
  expect((await post('/webhook/lark/event', messageEvent({ text, messageId }))).status).toBe(200);
  await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
  expect(bodies[0]!.msg_type).toBe('interactive');
  return JSON.parse(bodies[0]!.content!) as FormCard;
}

interface CardAnswer {
  toast: { type: string; content: string };
  card?: { type: string; data: FormCard & { elements?: unknown } };
}

async function submit(card: FormCard, values: Record<string, string | string[]>, o: { openId?: string; eventId?: string } = {}): Promise<CardAnswer> {
  const res = await post('/webhook/lark/card', formSubmitEvent(card, values, o));
  expect(res.status).toBe(200);
  return (await res.json()) as CardAnswer;
}

describe('a command sent bare answers with its form', () => {
  it('收文登记: inputs, date pickers, a deadline that also takes 工作日, the units as options, defaults filled in', async () => {
    const card = await askForForm('收文登记', 'om_ask');
    expect(card.schema).toBe('2.0');
    expect(card.header.title.content).toBe('收文登记');
    expect(fieldElement(card, '标题')).toMatchObject({ tag: 'input', required: true });
    expect(fieldElement(card, '备注')).toMatchObject({ tag: 'input', input_type: 'multiline_text', required: false });
    expect(fieldElement(card, '收文日期')).toMatchObject({ tag: 'date_picker' });
    expect(fieldElement(card, '办理时限')).toMatchObject({ tag: 'date_picker' });
    expect(fieldElement(card, '办理时限·工作日')).toMatchObject({ tag: 'input' });
    expect(fieldElement(card, '紧急程度')).toMatchObject({ tag: 'select_static', initial_option: '平件' });
    expect((fieldElement(card, '紧急程度').options as { value: string }[]).map((o) => o.value)).toEqual(['特急', '加急', '平件']);
    expect((fieldElement(card, '承办单位').options as { value: string }[]).map((o) => o.value)).toEqual(['县应急管理局', '县住建局', '县财政局']);
    expect(fieldElement(card, '密级')).toMatchObject({ tag: 'input', default_value: '无' });
    expect(submitValue(card).form).toBe('收文登记');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });

  it('keeps a form with the longest lists of units within the 30 KB Feishu takes', async () => {
    await t.bot.db.tx(async () => {
      // as many units as a list shows, with long names (the three seeded ones count towards the lists' length)
      for (let i = 1; i <= MAX_OPTIONS - 3; i++) await t.bot.services.units.add(`某某县第${i}号乡镇人民政府办公室`, undefined, undefined, SYSTEM);
    });
    const { scope, bodies } = expectReply('om_big');
    await post('/webhook/lark/event', messageEvent({ text: '督办新建', messageId: 'om_big' }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    const card = JSON.parse(bodies[0]!.content!) as FormCard;
    expect((fieldElement(card, '配合单位').options as unknown[]).length).toBe(MAX_OPTIONS);
    // the whole request, the card escaped inside it
    expect(Buffer.byteLength(JSON.stringify(bodies[0]))).toBeLessThan(30 * 1024);
  });

  it('asks for a unit to be typed where the office has more units than a list can usefully hold', async () => {
    await t.bot.db.tx(async () => {
      for (let i = 1; i <= MAX_OPTIONS; i++) await t.bot.services.units.add(`第${i}乡镇人民政府`, undefined, undefined, SYSTEM);
    });
    const card = await askForForm('收文登记', 'om_many');
    expect(fieldElement(card, '承办单位')).toMatchObject({ tag: 'input' });
    expect(fieldElement(card, '紧急程度')).toMatchObject({ tag: 'select_static' });
  });

  it('督办新建: co-units as a multiple choice and 批示领导 as a person picker over the leaders Feishu knows', async () => {
    const card = await askForForm('督办新建', 'om_ask_db');
    expect(fieldElement(card, '配合单位')).toMatchObject({ tag: 'multi_select_static', selected_values: [] });
    expect(fieldElement(card, '批示领导')).toMatchObject({ tag: 'select_person', options: [{ value: 'ou_leader' }] });
    expect(fieldElement(card, '时限')).toMatchObject({ tag: 'date_picker', required: false });
    expect(fieldElement(card, '反馈周期')).toMatchObject({ tag: 'select_static', initial_option: '一次' });
  });

  it('is what the bot menu’s item for the command sends, privately to whoever chose it', async () => {
    const { scope, bodies } = expectSent('open_id', 'ou_admin');
    expect((await post('/webhook/lark/event', menuEvent({ eventKey: 'in' }))).status).toBe(200);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    const card = JSON.parse(bodies[0]!.content!) as FormCard;
    expect(submitValue(card).form).toBe('收文登记');
  });

  it('answers someone who may not register with the usual refusal, not a form', async () => {
    const { scope, bodies } = expectReply('om_stranger');
    await post('/webhook/lark/event', messageEvent({ text: '收文登记', messageId: 'om_stranger', openId: 'ou_stranger' }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(bodies[0]!.msg_type).toBe('post');
    expect(bodies[0]!.content).toContain('我是谁');
  });
});

describe('submitting a form', () => {
  it('registers through the engine as the person who submitted, and answers with the registration card in place of the form', async () => {
    const card = await askForForm('收文登记', 'om_ask');
    const answer = await submit(
      card,
      { 标题: '关于做好防汛工作的通知', 来文单位: '市政府办公室', 紧急程度: '特急', 收文日期: '2026-11-24 +0800', '办理时限·工作日': '5个工作日', 承办单位: '县应急管理局' },
      { openId: 'ou_staff' },
    );
    expect(answer.toast.type).toBe('success');
    expect(JSON.stringify(answer.card!.data)).toContain('已登记收文：SW-2026-0001');
    const [doc] = await t.rows<Record<string, unknown>>('SELECT title, urgency, doc_date, due_date, source_unit FROM documents');
    // 5 working days from Wednesday 2026-11-25
    expect(doc).toEqual({ title: '关于做好防汛工作的通知', urgency: '特急', doc_date: '2026-11-24', due_date: '2026-12-02', source_unit: '市政府办公室' });
    expect(await t.scalar("SELECT actor FROM audit_log WHERE action = '收文登记'")).toContain('lark:ou_staff');
  });

  it('answers a bad date in the card, naming the field and keeping what was entered, and stores nothing', async () => {
    const card = await askForForm('收文登记', 'om_ask');
    const answer = await submit(card, { 标题: '关于做好防汛工作的通知', 来文单位: '市政府办公室', '办理时限·工作日': '大约年底', 紧急程度: '加急' });
    expect(answer.toast.type).toBe('error');
    expect(answer.toast.content).toContain('「办理时限」');
    const again = answer.card!.data;
    expect(again.schema).toBe('2.0');
    expect(JSON.stringify(again.body.elements[0])).toContain('无法识别日期「大约年底」');
    expect(JSON.stringify(again.body.elements[0])).toContain('也可以直接发送，例如：收文登记 标题=');
    expect(fieldElement(again, '标题')).toMatchObject({ default_value: '关于做好防汛工作的通知' });
    expect(fieldElement(again, '办理时限·工作日')).toMatchObject({ default_value: '大约年底' });
    expect(fieldElement(again, '紧急程度')).toMatchObject({ initial_option: '加急' });
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE action = '收文登记'")).toBe(0);
  });

  it('refuses a deadline given both as a date and as 工作日, and a required field left empty', async () => {
    const card = await askForForm('收文登记', 'om_ask');
    const both = await submit(card, { 标题: '甲', 来文单位: '乙', 办理时限: '2026-12-10 +0800', '办理时限·工作日': '5个工作日' });
    expect(both.toast.content).toContain('「办理时限」请只选日期或只写工作日');
    const empty = await submit(card, { 标题: '  ', 来文单位: '乙' });
    expect(empty.toast.content).toContain('缺少「标题」');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });

  it('shows a rule the service enforces (a 文号 already registered) in the card as well', async () => {
    const first = expectReply('om_first');
    await post('/webhook/lark/event', messageEvent({ text: '收文登记 标题=甲 来文单位=市政府办公室 文号=市政办发〔2026〕12号', messageId: 'om_first' }));
    await vi.waitFor(() => expect(first.scope.isDone()).toBe(true), { timeout: 5000 });
    const card = await askForForm('收文登记', 'om_ask');
    const answer = await submit(card, { 标题: '乙', 来文单位: '市政府办公室', 文号: '市政办发[2026]12号' });
    expect(answer.toast.type).toBe('error');
    expect(JSON.stringify(answer.card!.data)).toContain('SW-2026-0001');
    expect(fieldElement(answer.card!.data, '标题')).toMatchObject({ default_value: '乙' });
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
  });

  it('keeps the rights: someone without the role is refused and nothing is stored', async () => {
    const card = await askForForm('收文登记', 'om_ask');
    const answer = await submit(card, { 标题: '甲', 来文单位: '乙' }, { openId: 'ou_stranger' });
    expect(answer.toast.type).toBe('error');
    expect(answer.toast.content).toContain('我是谁');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });

  it('refuses a secret 密级 and keeps nothing of the submission', async () => {
    const card = await askForForm('收文登记', 'om_ask');
    const answer = await submit(card, { 标题: '某绝密事项', 来文单位: '乙', 密级: '机密★1年' });
    expect(answer.toast.type).toBe('error');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    const payloads = await t.column<string>('SELECT payload FROM inbox');
    expect(payloads.join('')).not.toContain('某绝密事项');
  });

  it('carries out a submission Feishu pushes twice once', async () => {
    const card = await askForForm('收文登记', 'om_ask');
    const first = await submit(card, { 标题: '甲', 来文单位: '乙' }, { eventId: 'form_twice' });
    expect(first.toast.type).toBe('success');
    const second = await submit(card, { 标题: '甲', 来文单位: '乙' }, { eventId: 'form_twice' });
    expect(second.card).toBeUndefined();
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
  });

  it('督办新建 with the leader picked, units chosen and a date picked', async () => {
    const card = await askForForm('督办新建', 'om_ask_db');
    const answer = await submit(card, {
      标题: '推进老旧小区改造',
      批示领导: 'ou_leader',
      牵头单位: '县住建局',
      配合单位: ['县财政局', '县应急管理局'],
      时限: '2026-12-31 +0800',
      反馈周期: '每周',
    });
    expect(answer.toast.type).toBe('success');
    const [item] = await t.rows<Record<string, unknown>>('SELECT title, deadline, feedback_cycle, source FROM supervision_items');
    expect(item).toEqual({ title: '推进老旧小区改造', deadline: '2026-12-31', feedback_cycle: '每周', source: '领导批示' });
    expect(await t.scalar("SELECT p.name FROM supervision_items s JOIN people p ON p.id = s.leader_id")).toBe('王县长');
    expect(await t.scalar('SELECT count(*) FROM supervision_units')).toBe(3);
  });

  it('refuses a field the command does not have, as a typed one would be', async () => {
    const card = await askForForm('收文登记', 'om_ask');
    const value = submitValue(card);
    value.fields['f99'] = '角色';
    const answer = await submit(card, { 标题: '甲', 来文单位: '乙', 角色: '管理员' });
    expect(answer.toast.content).toContain('没有字段「角色」');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });
});
