// 收文 from the file itself (issue 21) on Feishu: a PDF, OFD or Word file sent to the bot is
// downloaded through the message-resource API, read in a child process, and answered with the
// 收文登记 form filled in; submitting it registers the document with the file recorded. A 涉密
// file leaves nothing behind; what cannot be read is answered as such. The real server, SDK and
// readers; only Feishu's HTTP API faked.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeDocx } from '../fixtures/gbt9704/make-docx';
import { makeOfd } from '../fixtures/gbt9704/make-ofd';
import { makePdf, makeScannedPdf } from '../fixtures/gbt9704/make-pdf';
import { formSubmitEvent, messageEvent, submitValue, fieldElement, type FormCard } from '../fixtures/lark';
import { ENV, expectReply, expectSent, LARK, onlyLoopback, postTo, signedAt, startLarkBot } from '../fixtures/lark-bot';
import type { TestBot } from '../helpers';
import { SECRET_FILE } from '../../src/engine/intake';
import { sharedExtractor } from '../fixtures/shared-extractor';

onlyLoopback();
const extractor = sharedExtractor();

const SYSTEM = { personId: null, identity: 'system:test', name: 'test', role: 'admin' as const, unitId: null, chat: null };

// a downward notice as GB/T 9704 lays it out: 份号 and 紧急程度, the organ's mark, 文号, a
// two-line title, 主送, body, signature and date; on its last page 抄送 and 印发
const NOTICE = [
  [
    '000123',
    '特急',
    '浙江省人民政府办公厅文件',
    '浙政办发〔2026〕12号',
    '浙江省人民政府办公厅关于做好2027年元旦春节期间',
    '安全生产工作的通知',
    '各市、县（市、区）人民政府，省政府直属各单位：',
    '为切实做好元旦春节期间安全生产工作，经省政府同意，现就有关事项通知如下。',
    '— 1 —',
  ],
  ['一、压实安全生产责任。', '浙江省人民政府办公厅', '2026年11月20日', '（此件公开发布）', '抄送：省委各部门，省人大常委会办公厅。', '浙江省人民政府办公厅 2026年11月21日印发', '— 2 —'],
];
const SECRET = [['000045', '机密★1年', '特急', '浙江省人民政府办公厅文件', '浙政办发〔2026〕99号', '关于某项工作的通知', '各市人民政府：', '正文。', '浙江省人民政府办公厅', '2026年11月20日']];

let t: TestBot;
let dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  nock.cleanAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

async function start(env: Record<string, string> = {}, log?: pino.Logger): Promise<TestBot> {
  t = await startLarkBot({ ...ENV, ...env }, undefined, { extractor: extractor(), ...(log ? { log } : {}) });
  await t.bot.db.tx(async () => {
    await t.bot.services.units.add('县应急管理局', '应急局', undefined, SYSTEM);
    await t.bot.services.people.grant({ platform: 'lark', userId: 'ou_staff' }, '李四', 'staff', null, SYSTEM);
    await t.bot.services.people.grant({ platform: 'lark', userId: 'ou_leader' }, '王县长', 'leader', null, SYSTEM);
  });
  return t;
}

const post = (path: string, payload: unknown) => postTo(t, path, signedAt(t, payload));

/** Feishu's resource download serving these bytes once, for this message and key. */
function serveFile(messageId: string, fileKey: string, bytes: Buffer, type = 'file') {
  return nock(LARK)
    .get(`/open-apis/im/v1/messages/${messageId}/resources/${fileKey}`)
    .query({ type })
    .matchHeader('authorization', 'Bearer t-test-token')
    .reply(200, bytes, { 'content-type': 'application/octet-stream' });
}

/** Sends a file to the bot privately and returns the body of its one reply. */
async function sendFile(bytes: Buffer, o: { name: string; messageId: string; openId?: string }): Promise<Record<string, string>> {
  const download = serveFile(o.messageId, `file_${o.messageId}`, bytes);
  const { scope, bodies } = expectReply(o.messageId);
  const content = JSON.stringify({ file_key: `file_${o.messageId}`, file_name: o.name });
  expect((await post('/webhook/lark/event', messageEvent({ messageType: 'file', content, messageId: o.messageId, openId: o.openId ?? 'ou_admin' }))).status).toBe(200);
  await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 10_000 });
  expect(download.isDone()).toBe(true);
  return bodies[0]!;
}

const cardOf = (body: Record<string, string>) => JSON.parse(body.content!) as FormCard;
const textOf = (body: Record<string, string>) => body.content!;

describe('a 公文 sent as a file is answered with the 收文登记 form filled in from it', () => {
  for (const [format, make] of [
    ['PDF', makePdf],
    ['OFD', makeOfd],
    ['DOCX', makeDocx],
  ] as const) {
    it(`reads a ${format}: title, organ, 文号 and 特急 as fields, the rest in 备注, nothing registered yet`, async () => {
      await start();
      const card = cardOf(await sendFile(make(NOTICE), { name: `通知.${format.toLowerCase()}`, messageId: `om_${format}` }));
      expect(card.header.title.content).toBe('收文登记');
      expect(fieldElement(card, '标题').default_value).toBe('浙江省人民政府办公厅关于做好2027年元旦春节期间安全生产工作的通知');
      expect(fieldElement(card, '来文单位').default_value).toBe('浙江省人民政府办公厅');
      expect(fieldElement(card, '文号').default_value).toBe('浙政办发〔2026〕12号');
      expect(fieldElement(card, '紧急程度').initial_option).toBe('特急');
      const remarks = String(fieldElement(card, '备注').default_value);
      expect(remarks).toContain('成文日期：2026-11-20');
      expect(remarks).toContain('印发日期：2026-11-21');
      expect(remarks).toContain('主送：各市、县（市、区）人民政府，省政府直属各单位');
      const note = JSON.stringify(card.body.elements.find((e) => e.tag === 'markdown'));
      expect(note).toContain('2 页');
      expect(note).toMatch(/文号：浙政办发〔2026〕12号（(可靠|较可靠)/);
      expect(submitValue(card)).toMatchObject({ form: '收文登记', fixed: { 文件: 'F1' } });
      expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
      const [file] = await t.rows<Record<string, unknown>>('SELECT status, name, size, pages, format, sha256, kept_path, handle, reply_to FROM received_files');
      expect(file).toMatchObject({ status: 'draft', name: `通知.${format.toLowerCase()}`, pages: 2, format: format.toLowerCase(), kept_path: null, handle: null, reply_to: null });
      expect(file!.sha256).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it('registers it when the form is submitted, as the submitter, with the file recorded against the document', async () => {
    await start();
    const card = cardOf(await sendFile(makePdf(NOTICE), { name: '通知.pdf', messageId: 'om_pdf', openId: 'ou_staff' }));
    const res = await post('/webhook/lark/card', formSubmitEvent(card, { 标题: '关于做好元旦春节期间安全生产工作的通知', 来文单位: '浙江省人民政府办公厅', 文号: '浙政办发〔2026〕12号', 紧急程度: '特急' }, { openId: 'ou_staff', messageId: 'om_draft' }));
    const answer = (await res.json()) as { card?: { data: { body: { elements: unknown[] } } } };
    expect(JSON.stringify(answer.card)).toContain('SW-2026-0001');
    expect(JSON.stringify(answer.card)).toContain('来文文件：《通知.pdf》，PDF 2 页');
    expect(await t.rows('SELECT title, doc_number, urgency, created_by FROM documents')).toEqual([
      { title: '关于做好元旦春节期间安全生产工作的通知', doc_number: '浙政办发〔2026〕12号', urgency: '特急', created_by: await t.scalar("SELECT person_id FROM identities WHERE user_id = 'ou_staff'") },
    ]);
    expect(await t.rows('SELECT f.status, d.reg_no FROM received_files f JOIN documents d ON d.id = f.document_id')).toEqual([{ status: 'registered', reg_no: 'SW-2026-0001' }]);
  });

  it('a draft is its sender’s to register: another member of staff typing its number is refused', async () => {
    await start();
    await t.bot.db.tx(() => t.bot.services.people.grant({ platform: 'lark', userId: 'ou_staff2' }, '王五', 'staff', null, SYSTEM));
    await sendFile(makePdf(NOTICE), { name: '通知.pdf', messageId: 'om_mine', openId: 'ou_staff' });
    expect(await t.say('收文登记 标题=通知 来文单位=某单位 文件=F1', 'lark:ou_staff2')).toContain('不是机器人读取过的收文文件');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    expect(await t.say('收文登记 标题=通知 来文单位=某单位 文件=F1', 'lark:ou_staff')).toContain('SW-2026-0001');
  });

  it('keeps the file with a refused submission, so the corrected one still records it', async () => {
    await start();
    const card = cardOf(await sendFile(makeOfd(NOTICE), { name: '通知.ofd', messageId: 'om_ofd' }));
    const refused = (await (await post('/webhook/lark/card', formSubmitEvent(card, { 标题: '通知', 紧急程度: '特急' }, { messageId: 'om_draft' }))).json()) as { card: { data: FormCard } };
    expect(JSON.stringify(refused.card.data)).toContain('来文单位');
    expect(submitValue(refused.card.data)).toMatchObject({ fixed: { 文件: 'F1' } });
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    await post('/webhook/lark/card', formSubmitEvent(refused.card.data, { 标题: '通知', 来文单位: '浙江省人民政府办公厅' }, { messageId: 'om_draft' }));
    expect(await t.rows('SELECT f.status, d.reg_no FROM received_files f JOIN documents d ON d.id = f.document_id')).toEqual([{ status: 'registered', reg_no: 'SW-2026-0001' }]);
  });

  it('recognises the same file sent again once registered, and names the registration', async () => {
    await start();
    const bytes = makePdf(NOTICE);
    const card = cardOf(await sendFile(bytes, { name: '通知.pdf', messageId: 'om_first' }));
    await post('/webhook/lark/card', formSubmitEvent(card, { 标题: '通知', 来文单位: '浙江省人民政府办公厅' }, { messageId: 'om_draft' }));
    const again = await sendFile(bytes, { name: '通知(1).pdf', messageId: 'om_again' });
    expect(textOf(again)).toContain('此文件已登记为 SW-2026-0001');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
    // the draft's file cannot be registered twice either
    const twice = await post('/webhook/lark/card', formSubmitEvent(card, { 标题: '通知', 来文单位: '浙江省人民政府办公厅' }, { messageId: 'om_draft', eventId: 'form_twice' }));
    expect(JSON.stringify(await twice.json())).toContain('已登记为 SW-2026-0001');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
  });

  it('says a file sent twice before it is registered was sent before', async () => {
    await start();
    const bytes = makeDocx(NOTICE);
    await sendFile(bytes, { name: '通知.docx', messageId: 'om_one' });
    const card = cardOf(await sendFile(bytes, { name: '通知.docx', messageId: 'om_two' }));
    expect(JSON.stringify(card.body.elements.find((e) => e.tag === 'markdown'))).toContain('已于 2026-11-25 09:00 发送过，尚未登记');
  });

  it('recognises a document already registered by its 文号, however its brackets were typed', async () => {
    await start();
    await t.say('收文登记 标题=安全生产通知 来文单位=浙江省人民政府办公厅 文号=浙政办发[2026]12号', 'lark:ou_admin');
    const answer = await sendFile(makeOfd(NOTICE), { name: '通知.ofd', messageId: 'om_known' });
    expect(textOf(answer)).toContain('文号「浙政办发〔2026〕12号」已登记为 SW-2026-0001');
    expect(await t.scalar("SELECT status FROM received_files")).toBe('refused');
  });
});

describe('what is remembered of a file', () => {
  it('a draft never confirmed and a refusal are forgotten after 90 days; a registered file stays with its document', async () => {
    await start();
    const card = cardOf(await sendFile(makePdf(NOTICE), { name: '通知.pdf', messageId: 'om_reg' }));
    await post('/webhook/lark/card', formSubmitEvent(card, { 标题: '通知', 来文单位: '浙江省人民政府办公厅' }, { messageId: 'om_draft' }));
    await sendFile(makeDocx(SECRET.map((p) => p.filter((l) => l !== '机密★1年'))), { name: '草稿.docx', messageId: 'om_drafted' });
    await sendFile(Buffer.from('plain words'), { name: 'x.txt', messageId: 'om_refused' });
    expect(await t.column('SELECT status FROM received_files ORDER BY id')).toEqual(['registered', 'draft', 'refused']);
    t.clock.advance(90 * 86_400_000 - 1);
    await t.bot.services.intake.purge();
    expect(await t.scalar('SELECT count(*) FROM received_files')).toBe(3);
    t.clock.advance(2);
    await t.bot.services.intake.purge();
    expect(await t.column('SELECT status FROM received_files')).toEqual(['registered']);
  });
});

describe('a 涉密 file', () => {
  it('is refused at once and leaves nothing: no row, no message content, no copy, no log line naming it', async () => {
    const keep = mkdtempSync(join(tmpdir(), 'zw-keep-'));
    dirs.push(keep);
    const lines: string[] = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    await start({ INTAKE_KEEP_DIR: keep }, log);
    const audited = await t.scalar('SELECT count(*) FROM audit_log');
    const answer = await sendFile(makePdf(SECRET), { name: '某项工作通知-机要.pdf', messageId: 'om_secret' });
    expect(textOf(answer)).toContain(SECRET_FILE);
    expect(await t.scalar('SELECT count(*) FROM received_files')).toBe(0);
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    expect(await t.scalar('SELECT count(*) FROM audit_log')).toBe(audited);
    const payloads = await t.column<unknown>('SELECT payload FROM inbox');
    expect(JSON.stringify(payloads)).not.toContain('机要');
    expect(JSON.stringify(payloads)).not.toContain('file_om_secret');
    expect(readdirSync(keep)).toEqual([]);
    const logged = lines.join('\n');
    for (const secret of ['机要', '浙政办发〔2026〕99号', '某项工作', '机密']) expect(logged).not.toContain(secret);
  });
});

describe('what cannot be read is answered as such, and changes nothing', () => {
  it('a scanned PDF (images only)', async () => {
    await start();
    expect(textOf(await sendFile(makeScannedPdf(3), { name: '扫描件.pdf', messageId: 'om_scan' }))).toContain('是扫描件（3 页只有图像，没有文字）');
    expect(await t.rows('SELECT status, pages FROM received_files')).toEqual([{ status: 'refused', pages: null }]);
  });

  it('a picture renamed to .pdf: its bytes say what it is, not its name', async () => {
    await start();
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    expect(textOf(await sendFile(png, { name: '通知.pdf', messageId: 'om_png' }))).toContain('《通知.pdf》是图片，机器人只能读取PDF、OFD 或 Word（.docx）文件');
  });

  it('an old .doc, with what to do about it', async () => {
    await start();
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(2048)]);
    expect(textOf(await sendFile(ole, { name: '通知.doc', messageId: 'om_doc' }))).toContain('请另存为 .docx 或 PDF 后再发送');
  });

  it('a file that breaks the reader, and the next file is read as usual', async () => {
    await start();
    const broken = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n'.repeat(3)), Buffer.from('%%EOF')]);
    expect(textOf(await sendFile(broken, { name: '坏文件.pdf', messageId: 'om_broken' }))).toContain('已损坏或格式不规范');
    expect(cardOf(await sendFile(makePdf(NOTICE), { name: '通知.pdf', messageId: 'om_after' })).header.title.content).toBe('收文登记');
  });

  it('a 30 MB file is refused without being read whole', async () => {
    // Feishu on loopback, a real server whose writes wait for the reader: what it managed to send is what was read
    let sent = 0;
    const replies: string[] = [];
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const feishu = createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path.endsWith('/tenant_access_token/internal')) return void req.resume().on('end', () => json({ code: 0, tenant_access_token: 't', expire: 7200 }));
      if (path === '/open-apis/bot/v3/info') return json({ code: 0, bot: { open_id: 'ou_bot' } });
      if (path.endsWith('/reply')) {
        let body = '';
        return void req.on('data', (c) => (body += c)).on('end', () => (replies.push(body), json({ code: 0, data: { message_id: 'om_r' } })));
      }
      if (!path.includes('/resources/')) return json({ code: 0, data: {} });
      // no Content-Length: the download is stopped by counting
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const pump = () => {
        while (sent < 30 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => feishu.listen(0, '127.0.0.1', resolve));
    try {
      await start({ LARK_DOMAIN: `http://127.0.0.1:${(feishu.address() as AddressInfo).port}` });
      await post('/webhook/lark/event', messageEvent({ messageType: 'file', content: JSON.stringify({ file_key: 'file_big', file_name: '大文件.pdf' }), messageId: 'om_big' }));
      await vi.waitFor(() => expect(replies).toHaveLength(1), { timeout: 10_000 });
      expect(replies[0]).toContain('文件超过 20 MB，未读取');
      expect(sent).toBeLessThan(25 * 1024 * 1024);
      expect(await t.rows('SELECT status, size, sha256 FROM received_files')).toEqual([{ status: 'refused', size: null, sha256: null }]);
    } finally {
      feishu.closeAllConnections();
      await new Promise((resolve) => feishu.close(resolve));
    }
  });

  it('a file whose declared length is over the limit is not read at all (INTAKE_MAX_MB)', async () => {
    await start({ INTAKE_MAX_MB: '1' });
    nock(LARK)
      .get('/open-apis/im/v1/messages/om_declared/resources/file_k')
      .query({ type: 'file' })
      .reply(200, Buffer.alloc(2 * 1024 * 1024), { 'content-length': String(2 * 1024 * 1024) });
    const { scope, bodies } = expectReply('om_declared');
    await post('/webhook/lark/event', messageEvent({ messageType: 'file', content: JSON.stringify({ file_key: 'file_k', file_name: 'x.pdf' }), messageId: 'om_declared' }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 10_000 });
    expect(textOf(bodies[0]!)).toContain('文件超过 1 MB');
  });

  it('a download Feishu refuses is answered, and nothing is kept', async () => {
    await start();
    nock(LARK).get('/open-apis/im/v1/messages/om_gone/resources/file_gone').query({ type: 'file' }).reply(400, { code: 234003, msg: 'File not in msg.' });
    const { scope, bodies } = expectReply('om_gone');
    await post('/webhook/lark/event', messageEvent({ messageType: 'file', content: JSON.stringify({ file_key: 'file_gone', file_name: 'x.pdf' }), messageId: 'om_gone' }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 10_000 });
    expect(textOf(bodies[0]!)).toContain('暂时无法从平台下载该文件');
  });
});

describe('rights and chats', () => {
  it('someone who may not register is refused before anything is downloaded', async () => {
    await start();
    const { scope, bodies } = expectReply('om_stranger');
    await post('/webhook/lark/event', messageEvent({ messageType: 'file', content: JSON.stringify({ file_key: 'file_s', file_name: 'x.pdf' }), messageId: 'om_stranger', openId: 'ou_stranger' }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(textOf(bodies[0]!)).toContain('您还没有使用「收文登记」的权限');
    expect(await t.scalar('SELECT count(*) FROM received_files')).toBe(0);
  });

  it('a photo without a 督办反馈 before it is told what the bot reads', async () => {
    await start();
    const { scope, bodies } = expectReply('om_photo');
    await post('/webhook/lark/event', messageEvent({ messageType: 'image', content: JSON.stringify({ image_key: 'img_1' }), messageId: 'om_photo' }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
    expect(textOf(bodies[0]!)).toContain('图片不能登记为公文');
  });

  it('in a group where 公文 is on: a reply to the file, mentioning the bot, reads the file replied to', async () => {
    await start();
    const atBot = [{ key: '@_user_1', openId: 'ou_bot', name: '政务助手' }];
    const enabled = expectReply('om_enable');
    await post('/webhook/lark/event', messageEvent({ text: '@_user_1 本群启用 公文', chatType: 'group', chatId: 'oc_group', messageId: 'om_enable', mentions: atBot }));
    await vi.waitFor(() => expect(enabled.scope.isDone()).toBe(true), { timeout: 5000 });
    nock(LARK)
      .get('/open-apis/im/v1/messages/om_file_in_group')
      .reply(200, { code: 0, data: { items: [{ message_id: 'om_file_in_group', msg_type: 'file', body: { content: JSON.stringify({ file_key: 'file_g', file_name: '群里的通知.pdf' }) } }] } });
    const download = serveFile('om_file_in_group', 'file_g', makePdf(NOTICE));
    const { scope, bodies } = expectReply('om_ask_in_group');
    const event = messageEvent({ text: '@_user_1 收文登记', messageId: 'om_ask_in_group', chatId: 'oc_group', chatType: 'group', mentions: atBot });
    (event.event.message as Record<string, unknown>).parent_id = 'om_file_in_group';
    await post('/webhook/lark/event', event);
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 10_000 });
    expect(download.isDone()).toBe(true);
    expect(fieldElement(cardOf(bodies[0]!), '文号').default_value).toBe('浙政办发〔2026〕12号');
    expect(await t.scalar('SELECT name FROM received_files')).toBe('群里的通知.pdf');
  });
});

describe('INTAKE_KEEP_DIR', () => {
  it('keeps a copy, served by the console only to someone who may see the document', async () => {
    const keep = mkdtempSync(join(tmpdir(), 'zw-keep-'));
    dirs.push(keep);
    await start({ INTAKE_KEEP_DIR: keep });
    const bytes = makePdf(NOTICE);
    const card = cardOf(await sendFile(bytes, { name: '通知.pdf', messageId: 'om_keep' }));
    const [kept] = readdirSync(keep);
    expect(readFileSync(join(keep, kept!))).toEqual(bytes);
    const base = `http://127.0.0.1:${t.bot.port()}`;
    const token = /token=([^\s]+)/.exec(await t.say('管理后台', 'lark:ou_admin'))![1]!;
    const signIn = await fetch(`${base}/console/login?token=${token}`, { redirect: 'manual' });
    const cookie = signIn.headers.getSetCookie().find((h) => h.startsWith('zw_console='))!.split(';')[0]!;
    const get = (path: string, withCookie = true) => fetch(`${base}${path}`, { headers: withCookie ? { cookie } : {}, redirect: 'manual' });
    const file = `/console/ledgers/${encodeURIComponent('公文')}/SW-2026-0001/files/1`;
    // a draft belongs to no document yet: nothing to serve
    expect((await get(file)).status).toBe(404);
    await post('/webhook/lark/card', formSubmitEvent(card, { 标题: '通知', 来文单位: '浙江省人民政府办公厅' }, { messageId: 'om_draft' }));
    const page = await (await get(`/console/ledgers/${encodeURIComponent('公文')}/SW-2026-0001`)).text();
    expect(page).toContain(`href="${file}"`);
    const served = await get(file);
    expect(served.status).toBe(200);
    expect(served.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(bytes);
    // not through another document, not to someone signed out
    await t.say('收文登记 标题=另一份 来文单位=某单位', 'lark:ou_admin');
    expect((await get(`/console/ledgers/${encodeURIComponent('公文')}/SW-2026-0002/files/1`)).status).toBe(404);
    expect((await get(file, false)).status).toBe(401);
  });

  it('keeps nothing by default', async () => {
    await start();
    await sendFile(makePdf(NOTICE), { name: '通知.pdf', messageId: 'om_nokeep' });
    expect(await t.scalar('SELECT kept_path FROM received_files')).toBe(null);
    expect(readdirSync(t.dir).filter((f) => !/\.(db|db-wal|db-shm)$/.test(f))).toEqual([]);
  });
});

describe('proof with a 督办反馈', () => {
  const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), Buffer.alloc(4000, 7), Buffer.from('ffd9', 'hex')]);

  async function feedback(): Promise<void> {
    await t.say('督办新建 标题=推进老旧小区改造 批示领导=@lark:ou_leader 牵头单位=应急局 时限=2026-12-31', 'lark:ou_admin');
    const { scope } = expectReply('om_fb');
    await post('/webhook/lark/event', messageEvent({ text: '督办反馈 DB-2026-0001 已完成现场核查', messageId: 'om_fb' }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 5000 });
  }

  async function sendPhoto(messageId: string) {
    serveFile(messageId, `img_${messageId}`, JPEG, 'image');
    const reply = expectReply(messageId);
    await post('/webhook/lark/event', messageEvent({ messageType: 'image', content: JSON.stringify({ image_key: `img_${messageId}` }), messageId }));
    return reply;
  }

  it('a photo sent right after is kept with the feedback (never its content), shown on the item, and its leader told', async () => {
    await start();
    await feedback();
    const leader = expectSent('open_id', 'ou_leader');
    t.clock.advance(9 * 60_000);
    const { scope, bodies } = await sendPhoto('om_photo');
    await vi.waitFor(() => expect(scope.isDone() && leader.scope.isDone()).toBe(true), { timeout: 10_000 });
    expect(textOf(bodies[0]!)).toContain('已收到佐证材料 《图片》，4 KB，已附在 DB-2026-0001 的反馈中');
    expect(leader.bodies[0]!.content).toContain('督办反馈佐证：DB-2026-0001');
    const [file] = await t.rows<Record<string, unknown>>('SELECT status, feedback_id, size, sha256, kept_path FROM received_files');
    expect(file).toMatchObject({ status: 'attached', feedback_id: await t.scalar('SELECT id FROM supervision_feedback'), size: JPEG.length, kept_path: null });
    expect(await t.say('督办查询 DB-2026-0001', 'lark:ou_admin')).toContain('已完成现场核查（佐证：《图片》，4 KB）');
  });

  it('a document that cannot be read is not kept as proof: it could not be checked for a 密级', async () => {
    await start();
    await feedback();
    const broken = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('garbage '.repeat(50)), Buffer.from('%%EOF')]);
    serveFile('om_bad_proof', 'file_bad', broken);
    const { scope, bodies } = expectReply('om_bad_proof');
    await post('/webhook/lark/event', messageEvent({ messageType: 'file', content: JSON.stringify({ file_key: 'file_bad', file_name: '现场.pdf' }), messageId: 'om_bad_proof' }));
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 10_000 });
    expect(textOf(bodies[0]!)).toContain('不能确认是否涉密，未作为佐证保存');
    expect(await t.column('SELECT status FROM received_files')).toEqual(['refused']);
  });

  it('ten minutes after the feedback, a photo is no longer taken as its proof', async () => {
    await start();
    await feedback();
    t.clock.advance(10 * 60_000 + 1);
    const { scope, bodies } = await sendPhoto('om_late');
    await vi.waitFor(() => expect(scope.isDone()).toBe(true), { timeout: 10_000 });
    expect(textOf(bodies[0]!)).toContain('图片不能登记为公文');
    expect(await t.scalar('SELECT count(*) FROM received_files')).toBe(0);
  });
});
