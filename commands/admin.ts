import { z } from 'zod';
import { formatLocalDateTime } from '../src/lib/dates';
import { card, text } from '../src/lib/reply';
import { ROLE_LABELS, roleFromLabel } from '../src/services/actor';
import { auditChanges, auditNames } from '../src/services/audit-text';
import type { PersonView } from '../src/services/people';
import { defineCommand } from './kit/define';
import { textField } from './kit/fields';

const ROLE_NAMES = Object.values(ROLE_LABELS) as [string, ...string[]];
const personField = textField(200).describe('@某人，或「我是谁」显示的 平台:用户ID');

function personLine(p: PersonView): string {
  const role = p.role ? ROLE_LABELS[p.role] : '无角色';
  return `${p.name || '（未知姓名）'}｜${role}${p.unitName ? `｜${p.unitName}` : ''}｜${p.identities.join('、')}`;
}

export const grantRole = defineCommand({
  names: ['授权', 'grant'],
  group: '管理',
  right: 'admin',
  summary: '给某人授予角色：联络员（需单位）/员工/领导/管理员',
  args: ['人员'],
  fields: z.object({
    人员: personField,
    角色: z.enum(ROLE_NAMES, { error: `应为 ${ROLE_NAMES.join('/')} 之一` }),
    单位: textField(100).optional().describe('角色为联络员时必填'),
    姓名: textField(30).optional().describe('按账号授权时写上姓名，列表和卡片才显示人名；@某人 时取其名'),
  }),
  example: '授权 @张三 角色=联络员 单位=县住建局',
  run: async (ctx, f) => {
    const { people, units } = ctx.services;
    const target = ctx.person(f.人员);
    const unit = f.单位 ? await units.resolve(f.单位) : null;
    const person = await people.grant(target.identity, f.姓名 ?? target.name, roleFromLabel(f.角色)!, unit?.id ?? null, ctx.actor);
    return text(`已授权：${personLine(person)}`);
  },
});

export const revokeRole = defineCommand({
  names: ['撤销授权', 'revoke'],
  group: '管理',
  right: 'admin',
  summary: '撤销某人的角色',
  args: ['人员'],
  fields: z.object({ 人员: personField }),
  example: '撤销授权 @张三',
  run: async (ctx, f) => {
    const person = await ctx.services.people.revoke(ctx.person(f.人员).identity, ctx.actor);
    return text(`已撤销授权：${personLine(person)}`);
  },
});

export const listPeople = defineCommand({
  names: ['人员列表', 'people'],
  group: '管理',
  right: 'admin',
  summary: '列出所有已授权人员',
  fields: z.object({}),
  example: '人员列表',
  run: async (ctx) => {
    const all = await ctx.services.people.listWithRoles();
    if (all.length === 0) return text('还没有授权任何人员。');
    return card({ title: `已授权人员：共 ${all.length} 人`, tone: 'info', lines: all.map(personLine) });
  },
});

export const addUnit = defineCommand({
  names: ['单位新增', '新增单位', 'unit add'],
  group: '管理',
  right: 'admin',
  summary: '新增承办单位，可同时指定联络员',
  args: ['名称'],
  fields: z.object({ 名称: textField(100), 简称: textField(30).optional(), 联络员: personField.optional() }),
  example: '单位新增 名称=县住房和城乡建设局 简称=县住建局 联络员=@张三',
  run: async (ctx, f) => {
    const contact = f.联络员 ? ctx.person(f.联络员) : undefined;
    const unit = await ctx.services.units.add(f.名称, f.简称, contact, ctx.actor);
    return text(
      `已新增单位：${unit.name}${unit.shortName ? `（简称 ${unit.shortName}）` : ''}` +
        (unit.contacts.length ? `，联络员：${unit.contacts.map((c) => c.name || '未知姓名').join('、')}` : ''),
    );
  },
});

const ALIAS_SEPARATORS = /[,，、;；\s]+/;

export const setUnit = defineCommand({
  names: ['单位设置', '设置单位', 'unit set'],
  group: '管理',
  right: 'admin',
  summary: '设置单位的别名（如 住建局、建设局），承办单位等字段写别名即指该单位；别名=无 清除',
  args: ['单位'],
  fields: z.object({
    单位: textField(100),
    别名: textField(300)
      .transform((s) => (s === '无' ? [] : s.split(ALIAS_SEPARATORS).filter(Boolean)))
      .refine((aliases) => aliases.every((a) => a.length <= 30), { error: '每个别名最多 30 字，多个别名用逗号或顿号分隔' })
      .describe('多个用逗号或顿号分隔；写 无 清除全部别名'),
  }),
  example: '单位设置 县住建局 别名=住建局,建设局',
  run: async (ctx, f) => {
    const unit = await ctx.services.units.setAliases(f.单位, f.别名, ctx.actor);
    return text(`已设置 ${unit.name} 的别名：${unit.aliases.join('、') || '无'}`);
  },
});

export const listUnits = defineCommand({
  names: ['单位列表', 'units'],
  group: '管理',
  right: 'admin',
  summary: '列出承办单位及其联络员',
  fields: z.object({}),
  example: '单位列表',
  run: async (ctx) => {
    const all = await ctx.services.units.list();
    if (all.length === 0) return text('还没有任何承办单位。管理员可用「单位新增 名称=…」添加。');
    return card({
      title: `承办单位：共 ${all.length} 个`,
      tone: 'info',
      lines: all.map(
        (u) =>
          `${u.name}${u.shortName ? `（${u.shortName}）` : ''}｜联络员：${u.contacts.map((c) => c.name || '未知姓名').join('、') || '未指定'}` +
          (u.aliases.length ? `｜别名：${u.aliases.join('、')}` : ''),
      ),
    });
  },
});

export const auditLog = defineCommand({
  names: ['审计', '审计日志', 'audit'],
  group: '管理',
  right: 'admin',
  summary: '查看最近的操作记录（谁、何时、在哪、改了什么）',
  args: ['条数'],
  fields: z.object({
    条数: z.coerce.number({ error: '应为数字' }).int({ error: '应为整数' }).min(1, { error: '至少 1 条' }).max(100, { error: '最多 100 条' }).default(20),
  }),
  example: '审计 20',
  run: async (ctx, f) => {
    const entries = await ctx.services.audit.latest(f.条数);
    if (entries.length === 0) return text('还没有操作记录。');
    const tz = ctx.services.timezone;
    const names = await auditNames(ctx.services.units);
    return card({
      title: `最近 ${entries.length} 条操作记录`,
      tone: 'info',
      lines: entries.map(
        (e) =>
          `${formatLocalDateTime(e.at, tz)}｜${e.actor}｜${e.chat ?? '命令行'}｜${e.action}${e.target ? ` ${e.target}` : ''}` +
          `｜${auditChanges(e.action, e.before, e.after, names).join('；')}`,
      ),
    });
  },
});

export const adminCommands = [grantRole, revokeRole, listPeople, addUnit, setUnit, listUnits, auditLog];
