// What an admin opens a group chat for, what it is subscribed to, and the working-day calendar.
import { z } from 'zod';
import { formatChineseDate } from '../src/lib/dates';
import { card, text } from '../src/lib/reply';
import { CHAT_GROUPS, SUBSCRIPTIONS, type ChatGroup, type ChatSettings, type Subscription } from '../src/services/chats';
import { defineCommand } from './kit/define';
import { localDate, textField } from './kit/fields';

/** 「公文 督办」「公文、督办」「全部」 → the named items, each checked against the allowed list. */
function listOf<T extends string>(allowed: readonly T[], what: string) {
  return textField(100).transform((input, ctx): T[] => {
    const items = input.split(/[\s,，、;；]+/).filter(Boolean);
    if (items.includes('全部')) return [...allowed];
    const unknown = items.filter((i) => !allowed.includes(i as T));
    if (unknown.length) {
      ctx.issues.push({ code: 'custom', input, message: `没有${what}「${unknown.join('、')}」，可选：${allowed.join('、')}、全部` });
      return z.NEVER;
    }
    return items as T[];
  });
}

const groups = listOf<ChatGroup>(CHAT_GROUPS, '功能组');
const subscriptions = listOf<Subscription>(SUBSCRIPTIONS, '订阅');

function settingsCard(title: string, s: ChatSettings) {
  const closed = CHAT_GROUPS.filter((g) => !s.enabledGroups.includes(g));
  return card({
    title,
    tone: s.enabledGroups.length ? 'success' : 'warning',
    fields: [
      ['已启用', s.enabledGroups.join('、') || '无（本群未启用，除管理员外无人可用）'],
      ['未启用', closed.join('、') || '无'],
      ['订阅', s.subscriptions.join('、') || '无'],
    ],
    // a click enables the group in the chat the card is in: Lark tells which, not the button
    actions: [...closed.map((g) => ({ label: `启用${g}`, command: `本群启用 ${g}` })), ...(closed.length > 1 ? [{ label: '全部启用', command: '本群启用 全部' }] : [])],
  });
}

export const enableGroups = defineCommand({
  names: ['本群启用', 'chat enable'],
  group: '管理',
  right: 'admin',
  summary: `在本群开通功能组：${CHAT_GROUPS.join('、')}（或 全部）`,
  args: ['功能组'],
  fields: z.object({ 功能组: groups }),
  example: '本群启用 公文 督办',
  run: async (ctx, f) => settingsCard('本群已更新', await ctx.services.chats.enable(ctx.chat, f.功能组, ctx.actor)),
});

export const disableGroups = defineCommand({
  names: ['本群停用', 'chat disable'],
  group: '管理',
  right: 'admin',
  summary: '在本群关闭功能组',
  args: ['功能组'],
  fields: z.object({ 功能组: groups }),
  example: '本群停用 统计',
  run: async (ctx, f) => settingsCard('本群已更新', await ctx.services.chats.disable(ctx.chat, f.功能组, ctx.actor)),
});

export const subscribe = defineCommand({
  names: ['本群订阅', 'chat subscribe'],
  group: '管理',
  right: 'admin',
  summary: '本群接收 周报（每周一）和/或 提醒（到期提醒汇总）',
  args: ['订阅'],
  fields: z.object({ 订阅: subscriptions }),
  example: '本群订阅 周报 提醒',
  run: async (ctx, f) => settingsCard('本群已更新', await ctx.services.chats.subscribe(ctx.chat, f.订阅, ctx.actor)),
});

export const unsubscribe = defineCommand({
  names: ['本群退订', 'chat unsubscribe'],
  group: '管理',
  right: 'admin',
  summary: '本群不再接收 周报 或 提醒',
  args: ['订阅'],
  fields: z.object({ 订阅: subscriptions }),
  example: '本群退订 提醒',
  run: async (ctx, f) => settingsCard('本群已更新', await ctx.services.chats.unsubscribe(ctx.chat, f.订阅, ctx.actor)),
});

export const chatSettings = defineCommand({
  names: ['本群设置', 'chat settings'],
  group: '管理',
  right: 'admin',
  summary: '查看本群启用的功能组和订阅',
  fields: z.object({}),
  example: '本群设置',
  run: async (ctx) =>
    ctx.chat.type === 'group' ? settingsCard('本群设置', await ctx.services.chats.settings(ctx.chat)) : text('这是私聊：按您的角色使用全部功能，无需设置。'),
});

const DAY_KINDS = ['休', '班'] as const;

export const setHoliday = defineCommand({
  names: ['节假日设置', 'holiday'],
  group: '管理',
  right: 'admin',
  summary: '把某天设为休息日（休）或工作日（班），用于法定节假日数据缺失或调整时',
  args: ['日期', '类型'],
  fields: z.object({ 日期: localDate, 类型: z.enum(DAY_KINDS, { error: '应为 休 或 班' }) }),
  example: '节假日设置 2027-02-08 休',
  run: async (ctx, f) => {
    const { moved } = await ctx.services.calendarChanges.setDay(f.日期, f.类型 === '班', ctx.actor);
    const recounted = moved.length ? `按工作日给出的办理时限有 ${moved.length} 件随之调整，已通知相关单位联络员和登记人。` : '';
    return text(`已设置：${formatChineseDate(f.日期)} 为${f.类型 === '班' ? '工作日' : '休息日'}。工作日计算即刻生效。${recounted}`);
  },
});

export const scopeCommands = [enableGroups, disableGroups, subscribe, unsubscribe, chatSettings, setHoliday];
