import { z } from 'zod';
import { deadline, localDate, PAST_DEADLINE_NOTE, secrecy, textField, urgency } from './kit/fields';
import { defineCommand } from './kit/define';
import { FILE_REF } from '../src/services/intake';
import { describeFile, documentCard, documentListCard } from './views';

export const registerIncoming = defineCommand({
  names: ['收文登记', '登记收文', 'doc in'],
  group: '公文',
  right: 'register',
  summary: '登记收到的公文，得到收文登记号 SW-年份-序号',
  fields: z.object({
    标题: textField(200),
    来文单位: textField(100),
    文号: textField(100).optional(),
    紧急程度: urgency.default('平件'),
    密级: secrecy.describe('默认 无；秘密/机密/绝密 公文不得登记'),
    收文日期: localDate.optional().describe('默认今天'),
    办理时限: deadline.optional().describe(PAST_DEADLINE_NOTE),
    承办单位: textField(100).optional(),
    备注: textField().optional(),
    文件: z.string().trim().regex(FILE_REF, '应为机器人读取文件后给出的编号，例如 F12').optional().describe('机器人读取来文文件时自动填写'),
  }),
  example: '收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 文号=市政办发〔2026〕12号 紧急程度=特急',
  form: { 标题: 'text', 来文单位: 'text', 文号: 'text', 紧急程度: 'choice', 密级: 'text', 收文日期: 'date', 办理时限: 'deadline', 承办单位: 'unit', 备注: 'long' },
  file: 'draft',
  run: async (ctx, f) => {
    const { documents, intake, today } = ctx.services;
    const doc = await documents.registerIncoming(
      {
        title: f.标题,
        sourceUnit: f.来文单位,
        docNumber: f.文号,
        urgency: f.紧急程度,
        secrecy: f.密级,
        receivedDate: f.收文日期 ?? today(),
        dueDate: f.办理时限?.date,
        dueWorkdays: f.办理时限?.workdays,
        handlingUnit: f.承办单位,
        remarks: f.备注,
      },
      ctx.actor,
    );
    if (!f.文件) return documentCard(doc, today(), '已登记收文');
    const file = await intake.registered(f.文件, doc.id, ctx.actor);
    return documentCard(doc, today(), '已登记收文', [`来文文件：${describeFile(file)}`]);
  },
});

export const registerOutgoing = defineCommand({
  names: ['发文登记', '登记发文', 'doc out'],
  group: '公文',
  right: 'register',
  summary: '登记本机关发出的公文，得到发文登记号 FW-年份-序号',
  fields: z.object({
    标题: textField(200),
    文号: textField(100),
    主送: textField(300),
    紧急程度: urgency.default('平件'),
    成文日期: localDate.optional().describe('默认今天'),
    拟稿单位: textField(100).optional(),
    备注: textField().optional(),
  }),
  example: '发文登记 标题=关于印发2027年工作要点的通知 文号=县政办发〔2026〕30号 主送=各乡镇人民政府、县直各单位',
  form: { 标题: 'text', 文号: 'text', 主送: 'long', 紧急程度: 'choice', 成文日期: 'date', 拟稿单位: 'unit', 备注: 'long' },
  run: async (ctx, f) => {
    const { documents, today } = ctx.services;
    const doc = await documents.registerOutgoing(
      {
        title: f.标题,
        docNumber: f.文号,
        recipients: f.主送,
        urgency: f.紧急程度,
        writtenDate: f.成文日期 ?? today(),
        draftingUnit: f.拟稿单位,
        remarks: f.备注,
      },
      ctx.actor,
    );
    return documentCard(doc, today(), '已登记发文');
  },
});

export const findDocument = defineCommand({
  names: ['公文查询', '查公文', 'doc find'],
  group: '公文',
  right: 'read',
  summary: '按登记号、文号或关键词查公文',
  args: ['关键词'],
  fields: z.object({ 关键词: textField(100) }),
  example: '公文查询 防汛',
  run: async (ctx, f) => {
    const { documents, today } = ctx.services;
    const found = await documents.find(f.关键词, ctx.actor);
    if (found.total === 1 && found.items.length === 1) return documentCard(found.items[0]!, today());
    return documentListCard(found, `查询「${f.关键词}」`, today(), `没有找到与「${f.关键词}」相关的公文。`);
  },
});

export const assignDocument = defineCommand({
  names: ['公文分办', 'doc assign'],
  group: '公文',
  right: 'register',
  summary: '把收文交给承办单位办理，并通知该单位联络员',
  args: ['登记号'],
  fields: z.object({ 登记号: textField(30), 承办单位: textField(100), 时限: deadline.optional().describe(PAST_DEADLINE_NOTE) }),
  example: '公文分办 SW-2026-0001 承办单位=县应急管理局 时限=5个工作日',
  run: async (ctx, f) => {
    const { documents, today } = ctx.services;
    return documentCard(await documents.assign(f.登记号, f.承办单位, f.时限?.date, ctx.actor, f.时限?.workdays), today(), '已分办');
  },
});

export const closeDocument = defineCommand({
  names: ['公文办结', 'doc done'],
  group: '公文',
  right: 'handle',
  summary: '办结公文，记录是否在时限内办结',
  args: ['登记号', '结果'],
  fields: z.object({ 登记号: textField(30), 结果: textField().optional() }),
  example: '公文办结 SW-2026-0001 结果=已按要求部署落实',
  run: async (ctx, f) => {
    const { documents, today } = ctx.services;
    return documentCard(await documents.close(f.登记号, f.结果, ctx.actor), today(), '已办结');
  },
});

const TODO_FILTERS = ['全部', '逾期', '本周'] as const;

export const documentTodo = defineCommand({
  names: ['待办公文', 'doc todo'],
  group: '公文',
  right: 'read',
  summary: '未办结的公文，时限近的在前；可选 逾期 / 本周 / 全部',
  args: ['范围'],
  fields: z.object({ 范围: z.enum(TODO_FILTERS, { error: `应为 ${TODO_FILTERS.join('/')} 之一` }).default('全部') }),
  example: '待办公文 逾期',
  run: async (ctx, f) => {
    const { documents, today } = ctx.services;
    const empty = { 全部: '没有未办结的公文。', 逾期: '没有逾期的公文。', 本周: '本周没有到期的公文。' }[f.范围];
    return documentListCard(await documents.todo(f.范围, ctx.actor), `待办公文（${f.范围}）`, today(), empty);
  },
});

export const documentCommands = [registerIncoming, registerOutgoing, findDocument, assignDocument, closeDocument, documentTodo];
