// Files people send the bot, read in the background: a download and a parse cannot happen inside
// the transaction that handled the message, nor on the event loop that acknowledges webhooks. A
// file waiting is claimed in one statement, fetched through its platform (up to INTAKE_MAX_MB),
// read in a child process (intake/extractor.ts), and its outcome recorded in one transaction with
// the answer: a 收文登记 draft to check and confirm, proof with a 督办反馈, or a refusal. A
// 涉密 file leaves nothing: not its row, not its message, not a line in the log.
import { createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AnyCommand } from '../../commands/kit/define';
import { describeFile } from '../../commands/views';
import { readLayout, type Certainty, type LayoutReading } from '../intake/layout';
import { secrecyMark } from '../intake/secrecy';
import type { Extracted, Extractor } from '../intake/extractor';
import { sniff } from '../intake/sniff';
import type { Clock } from '../lib/clock';
import { formatLocalDateTime } from '../lib/dates';
import type { FileFetcher } from '../lib/files';
import { createLoop } from '../lib/loop';
import { card, text, type Reply } from '../lib/reply';
import type { Services } from '../services';
import { fileRef, type ReceivedFile } from '../services/intake';
import { createForms } from './forms';

/** Longer than a download and a read take together: a live reader's claim never runs out. */
export const INTAKE_LEASE_MS = 180_000;

export const SECRET_FILE =
  '该文件标有密级（秘密/机密/绝密），涉密公文不得通过本系统传输和登记。文件已删除，未保存任何内容或记录。请按保密规定通过机要渠道办理。';

const READABLE = 'PDF、OFD 或 Word（.docx）';
const CERTAINTY: Record<Certainty, string> = { sure: '可靠', likely: '较可靠', guess: '请核对' };
// the layout's readings that 收文登记 takes as fields; the others go to its 备注
const AS_FIELDS = ['标题', '来文单位', '文号'] as const;
const IN_REMARKS = ['成文日期', '印发日期', '主送', '签发人'] as const;

export interface IntakeOptions {
  services: Services;
  commands: readonly AnyCommand[];
  /** platform → its download, for the platforms this process serves */
  fetchers: Readonly<Record<string, FileFetcher>>;
  extractor: Extractor;
  maxBytes: number;
  /** where copies are kept (INTAKE_KEEP_DIR); null keeps none */
  keepDir: string | null;
  clock: Clock;
  log: Logger;
}

export function createFileReader(options: IntakeOptions) {
  const { services, fetchers, extractor, maxBytes, keepDir, clock, log } = options;
  const forms = createForms(services);
  const draftCommand = options.commands.find((c) => c.file === 'draft') ?? null;
  const platforms = Object.keys(fetchers);
  const mb = Math.round(maxBytes / 1024 / 1024);

  const tx = <T>(fn: () => Promise<T>) => services.db.tx(fn);
  // files found 涉密 whose forgetting has not committed yet: never settled any other way
  const secret = new Set<number>();

  async function forgetSecret(claim: ReceivedFile): Promise<void> {
    secret.add(claim.id);
    await tx(() => services.intake.secret(claim, [text(SECRET_FILE)]));
    secret.delete(claim.id);
    log.info({ file: claim.id }, 'a file marked 涉密 was refused and forgotten');
  }

  function unreadable(name: string, result: Exclude<Extracted, { ok: true }>): string {
    const file = `《${name || '文件'}》`;
    switch (result.reason) {
      case 'unsupported': {
        const what = { image: '是图片', doc: '是旧版 Word（.doc）或 WPS 文件', wps: '是 WPS 文件', zip: '是压缩包', text: '是纯文本', unknown: '不是可识别的公文格式' }[result.detected];
        return `${file}${what}，机器人只能读取${READABLE}文件${result.detected === 'doc' || result.detected === 'wps' ? '，请另存为 .docx 或 PDF 后再发送' : ''}。也可以直接发送「收文登记」填写。`;
      }
      case 'no-text':
        return `${file}是扫描件（${result.pageCount} 页只有图像，没有文字），机器人无法读取。请发送带文字的${READABLE}文件，或直接发送「收文登记」填写。`;
      case 'broken':
        return `${file}已损坏或格式不规范，机器人无法读取。请检查文件后重新发送，或直接发送「收文登记」填写。`;
      case 'timeout':
        return `${file}读取超时（文件过大或结构过于复杂）。请发送页数较少的文件，或直接发送「收文登记」填写。`;
    }
  }

  /** Keeps a copy where the office wants them, named by its hash (the same bytes sent twice are one file). */
  async function keep(bytes: Buffer, sha256: string, format: string | null): Promise<string | null> {
    if (!keepDir) return null;
    await mkdir(keepDir, { recursive: true, mode: 0o700 });
    const path = join(keepDir, `${sha256}.${format ?? 'bin'}`);
    await writeFile(path, bytes, { mode: 0o600 });
    await chmod(path, 0o600);
    return path;
  }

  /** The 收文登记 draft: the fields read, what else was read in 备注, and a note of how sure each is and what was not found. */
  async function draft(claim: ReceivedFile, name: string, read: LayoutReading, file: { format: string; pages: number }, sha256: string): Promise<Reply> {
    const given: Record<string, string> = {};
    for (const key of AS_FIELDS) if (read[key]) given[key] = read[key].value;
    if (read.紧急程度 && ['特急', '加急'].includes(read.紧急程度.value)) given.紧急程度 = read.紧急程度.value;
    const remarks = IN_REMARKS.filter((k) => read[k]).map((k) => `${k}：${read[k]!.value}`);
    if (remarks.length) given.备注 = remarks.join('；');
    const seen = [...AS_FIELDS, '紧急程度' as const, ...IN_REMARKS].filter((k) => read[k]);
    const missing = [...AS_FIELDS, ...IN_REMARKS].filter((k) => !read[k]);
    const earlier = await services.intake.draftedBefore(sha256, claim.id);
    const note = [
      `**已读取 ${describeFile({ name, size: null, pages: file.pages, format: file.format })}**，请核对、修改后提交；提交前不会登记。`,
      ...seen.map((k) => `· ${k}：${read[k]!.value}（${CERTAINTY[read[k]!.certainty]}，取自${read[k]!.from}）`),
      ...(missing.length ? [`· 未能读出：${missing.join('、')}`] : []),
      ...(earlier !== null ? [`· 此文件已于 ${formatLocalDateTime(earlier, services.timezone)} 发送过，尚未登记。`] : []),
    ];
    const form = await forms.formFor(draftCommand!, { ...given, 文件: fileRef(claim.id) });
    return { form: { ...form, title: `收文登记（草稿）：${name || '来文'}`, note } };
  }

  async function readDocument(claim: ReceivedFile, name: string, bytes: Buffer, sha256: string): Promise<void> {
    const size = bytes.length;
    const registered = await services.intake.registeredAs(sha256);
    if (registered) {
      await tx(() => services.intake.refused(claim, `已登记为 ${registered.regNo}`, [alreadyRegistered(registered.regNo, `此文件已登记为 ${registered.regNo}`)], { name, size, sha256 }));
      return;
    }
    const extracted = await extractor.extract(bytes);
    if (!extracted.ok) {
      await tx(() => services.intake.refused(claim, extracted.reason, [text(unreadable(name, extracted))], { name, size, sha256 }));
      return;
    }
    if (secrecyMark(extracted.pages)) return forgetSecret(claim);
    const read = readLayout(extracted.pages);
    const number = read.文号 ? await services.documents.incomingWithNumber(read.文号.value) : undefined;
    if (number) {
      await tx(() => services.intake.refused(claim, `已登记为 ${number.regNo}`, [alreadyRegistered(number.regNo, `文号「${read.文号!.value}」已登记为 ${number.regNo}`)], { name, size, sha256 }));
      return;
    }
    const keptPath = await keep(bytes, sha256, extracted.format);
    const reply = await draft(claim, name, read, { format: extracted.format, pages: extracted.pageCount }, sha256);
    await tx(() => services.intake.drafted(claim, { name, size, pages: extracted.pageCount, format: extracted.format, sha256, keptPath }, [reply]));
  }

  /** The registration named, not shown: the sender may not be one who may see that document. */
  function alreadyRegistered(regNo: string, heading: string): Reply {
    return text(`${heading}，未重复登记。发送「公文查询 ${regNo}」查看。`);
  }

  /** Proof of a 督办反馈: recorded with it, shown on its item's cards, and its leader told. A document among them is checked for a 密级 as any. */
  async function attachProof(claim: ReceivedFile, name: string, bytes: Buffer, sha256: string): Promise<void> {
    const kind = sniff(bytes);
    let file: { format: string | null; pages: number | null } = { format: typeof kind === 'string' ? kind : kind.detected === 'image' ? 'image' : null, pages: null };
    // proof is kept only where it could be checked for a 密级: a picture, or a document read whole
    const unchecked = (why: string) => tx(() => services.intake.refused(claim, why, [text(`《${name || '文件'}》无法读取，不能确认是否涉密，未作为佐证保存。请发送图片，或可读取的${READABLE}文件。`)], { name, size: bytes.length, sha256 }));
    if (typeof kind === 'string') {
      const extracted = await extractor.extract(bytes);
      if (!extracted.ok) return void (await unchecked(extracted.reason));
      if (secrecyMark(extracted.pages)) return forgetSecret(claim);
      file = { format: extracted.format, pages: extracted.pageCount };
    } else if (kind.detected !== 'image') return void (await unchecked(kind.detected));
    const item = await services.supervision.ofFeedback(claim.feedbackId!);
    const keptPath = await keep(bytes, sha256, file.format);
    const shown = describeFile({ name, size: bytes.length, ...file });
    await tx(async () => {
      const done = await services.intake.attached(claim, { name, size: bytes.length, sha256, keptPath, ...file }, [text(`已收到佐证材料 ${shown}，已附在 ${item?.regNo ?? '督办件'} 的反馈中。`)]);
      if (!done || !item) return;
      await services.cardUpdates.changed(`supervision:${item.regNo}`);
      if (item.leaderId !== null) {
        await services.notify.person(
          item.leaderId,
          card({ title: `督办反馈佐证：${item.regNo}`, about: `supervision:${item.regNo}`, tone: 'info', lines: [`承办单位随反馈发来佐证材料 ${shown}。`], actions: [{ label: '查看', command: `督办查询 ${item.regNo}` }] }),
          `proof:${claim.id}`,
        );
      }
    });
  }

  async function readOne(claim: ReceivedFile): Promise<void> {
    const fetched = await fetchers[claim.platform]!(claim.handle ?? {}, maxBytes);
    const name = (fetched.ok && fetched.name) || claim.name;
    if (!fetched.ok) {
      const why = {
        'too-big': `文件超过 ${mb} MB，未读取。请压缩或拆分后重新发送，或直接发送「收文登记」填写。`,
        'not-a-file': '您回复的消息不是文件。请回复要登记的文件并 @机器人，或直接把文件发给机器人。',
        unavailable: '暂时无法从平台下载该文件，请稍后重新发送。',
      }[fetched.reason];
      if (fetched.reason === 'unavailable') log.warn({ file: claim.id, detail: fetched.detail }, 'file not downloaded');
      await tx(() => services.intake.refused(claim, fetched.reason, [text(why)]));
      return;
    }
    const sha256 = createHash('sha256').update(fetched.bytes).digest('hex');
    if (claim.purpose === 'proof') await attachProof(claim, name, fetched.bytes, sha256);
    else await readDocument(claim, name, fetched.bytes, sha256);
  }

  async function step(): Promise<boolean> {
    const claim = await services.intake.next(INTAKE_LEASE_MS, platforms);
    if (!claim) return false;
    try {
      await readOne(claim);
    } catch (err) {
      // never the error's message: a failed query's names its parameters (a file's name, a draft's fields)
      log.error({ file: claim.id, err: (err as Error).name, code: (err as { cause?: { code?: string } }).cause?.code }, 'reading a file sent to the bot failed');
      // a 涉密 file is never settled as anything else: left claimed, it is read (and refused) again once the lease ends
      if (secret.delete(claim.id)) return true;
      await tx(() => services.intake.refused(claim, 'error', [text('抱歉，读取文件时系统出错，已记录。请稍后重新发送，或直接发送「收文登记」填写。')]));
    }
    return true;
  }

  return {
    ...createLoop({ name: 'intake', log, clock, idleMs: 2000, step, nextDueAt: () => services.intake.nextDueAt(INTAKE_LEASE_MS, platforms) }),
    /** Reads every file waiting (for tests and tools, which run no loops). */
    async drain(): Promise<void> {
      while (await step());
    },
  };
}
