import { z } from 'zod';
import { UserError } from '../src/services/errors';
import { defineCommand } from './kit/define';

export const unitSync = defineCommand({
  names: ['单位同步', 'unit sync'],
  group: '管理',
  right: 'admin',
  summary: '按飞书通讯录的部门同步承办单位：列出新增、名称不同和未对应的单位，确认后生效',
  args: ['操作', '编号'],
  fields: z.object({
    操作: z.enum(['确认', '刷新'], { error: '应为 确认 或 刷新' }).optional().describe('不写则查看同步建议；刷新 重新读取飞书通讯录；确认 应用建议'),
    编号: z.coerce.number({ error: '应为数字' }).int({ error: '应为整数' }).positive({ error: '应为正整数' }).optional().describe('确认时写建议卡片上的编号'),
  }),
  example: '单位同步',
  run: async (ctx, f) => {
    const { orgSync } = ctx.services;
    if (f.操作 !== '确认') return orgSync.overview(ctx.actor, f.操作 === '刷新');
    if (f.编号 === undefined) throw new UserError('「编号」必填：写同步建议卡片上的编号，例如：单位同步 确认 3');
    return orgSync.confirm(f.编号, ctx.actor);
  },
});

export const unitSyncCommands = [unitSync];
