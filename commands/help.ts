import { z } from 'zod';
import { card, onceText, text } from '../src/lib/reply';
import { ROLE_LABELS } from '../src/services/actor';
import { defineCommand, type AnyCommand, type Group } from './kit/define';
import { textField } from './kit/fields';

const GROUP_ORDER: Group[] = ['通用', '公文', '建议提案', '督办', '统计', '管理'];

/** One line per field: name, * when required, default or note. */
export function describeFields(def: AnyCommand): string[] {
  const shape = def.fields.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, schema]) => {
    const empty = schema.safeParse(undefined);
    const required = !empty.success;
    const notes = [
      def.args?.includes(name) ? '可直接写在命令后' : '',
      !required && empty.data !== undefined ? `默认 ${String(empty.data)}` : '',
      schema.description ?? '',
    ].filter(Boolean);
    return `${name}${required ? '*' : ''}${notes.length ? `（${notes.join('；')}）` : ''}`;
  });
}

export const help = defineCommand({
  names: ['帮助', 'help', '?', '？'],
  group: '通用',
  right: 'everyone',
  summary: '列出您在本群可用的命令；「帮助 命令名」查看字段和示例',
  args: ['命令'],
  fields: z.object({ 命令: textField(30).optional() }),
  example: '帮助 收文登记',
  run: async (ctx, f) => {
    const available = ctx.catalog.available();
    if (f.命令) {
      const def = ctx.catalog.find(f.命令);
      if (!def || !available.includes(def)) return text(`没有您可用的命令「${f.命令}」。发送「帮助」查看可用命令。`);
      return card({
        title: `帮助：${def.names[0]}`,
        tone: 'info',
        lines: [def.summary, ...(def.names.length > 1 ? [`别名：${def.names.slice(1).join('、')}`] : [])],
        fields: [
          ['字段', describeFields(def).join('\n') || '无'],
          ['示例', def.example],
        ],
      });
    }
    const lines = GROUP_ORDER.flatMap((group) => {
      const defs = available.filter((d) => d.group === group);
      return defs.length ? [`**${group}**`, ...defs.map((d) => `${d.names[0]} — ${d.summary}`)] : [];
    });
    if (ctx.actor.role === null) lines.push('您尚未获得授权：把「我是谁」的结果发给管理员开通。');
    lines.push('字段写法：键=值 或 每行一个「键：值」；日期可写 12月5日前、下周三前、两周内、下月10日、5个工作日；已过去的时限加「已逾期」。');
    return card({ title: '政务助手：可用命令', tone: 'info', lines });
  },
});

export const whoAmI = defineCommand({
  names: ['我是谁', 'whoami'],
  group: '通用',
  right: 'everyone',
  summary: '显示您的平台账号、角色和单位（把它发给管理员即可开通权限）',
  fields: z.object({}),
  example: '我是谁',
  run: async (ctx) => {
    const { actor, services } = ctx;
    const unit = actor.unitId ? (await services.units.get(actor.unitId))?.name : undefined;
    const [platform, ...rest] = actor.identity.split(':');
    return card({
      title: '我是谁',
      tone: 'info',
      fields: [
        ['平台', platform ?? ''],
        ['平台用户ID', rest.join(':')],
        ['姓名', actor.name || '—'],
        ['角色', actor.role ? ROLE_LABELS[actor.role] : '未授权'],
        ['单位', unit ?? '—'],
      ],
      lines: [`管理员授权时可写：授权 ${actor.identity} 角色=员工`],
    });
  },
});

export const consoleLink = defineCommand({
  names: ['管理后台', 'console'],
  group: '通用',
  right: 'console',
  summary: '获取网页管理后台的登录链接（私聊中使用；领导只读，管理员可修改设置）',
  fields: z.object({}),
  example: '管理后台',
  run: async (ctx) => {
    // a sign-in link is a key: it goes only where nobody else reads it
    if (ctx.chat.type !== 'p2p') return text('登录链接只在私聊中发送。请私聊机器人发送「管理后台」。');
    const token = await ctx.services.consoleAuth.issueLink(ctx.actor.personId!);
    return onceText(`管理后台登录链接（10 分钟内有效，只能使用一次，请勿转发）：\n${ctx.services.consoleBaseUrl}/console/login?token=${encodeURIComponent(token)}`);
  },
});

export const helpCommands = [help, whoAmI, consoleLink];
