import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, VARIABLES } from '../../src/config';

describe('configuration', () => {
  it('starts from nothing on the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, databasePath: './data/bot.db', timezone: 'Asia/Shanghai', logLevel: 'info', adminIds: [], lark: null, dingtalk: null });
    expect(c.cron).toEqual({ reminders: '50 8 * * *', feedback: '50 8 * * *', weeklyReport: '10 9 * * 1', calendarCheck: '20 9 * * 1' });
  });

  it('treats blank values as unset and parses lists', () => {
    const c = loadConfig({ PORT: '  ', ADMIN_IDS: 'lark:ou_1, dingtalk:manager1', LARK_APP_ID: 'cli_1', LARK_APP_SECRET: 's', LARK_ENCRYPT_KEY: 'k', LARK_DOMAIN: 'http://127.0.0.1:4010' });
    expect(c.port).toBe(3000);
    expect(c.adminIds).toEqual([{ platform: 'lark', userId: 'ou_1' }, { platform: 'dingtalk', userId: 'manager1' }]);
    expect(c.lark).toMatchObject({ appId: 'cli_1', domain: 'http://127.0.0.1:4010', mode: 'webhook' });
  });

  it('refuses Lark webhooks that nothing authenticates, naming where the keys are', () => {
    const lark = { LARK_APP_ID: 'cli_1', LARK_APP_SECRET: 's' };
    expect(() => loadConfig(lark)).toThrow(/LARK_ENCRYPT_KEY: .*LARK_VERIFICATION_TOKEN.*事件与回调 → 加密策略/);
    expect(() => loadConfig({ ...lark, LARK_ENCRYPT_KEY: '  ' })).toThrow(/LARK_ENCRYPT_KEY/); // blank is unset
    expect(loadConfig({ ...lark, LARK_ENCRYPT_KEY: 'k' }).lark).toMatchObject({ encryptKey: 'k' });
    expect(loadConfig({ ...lark, LARK_VERIFICATION_TOKEN: 'vt' }).lark).toMatchObject({ verificationToken: 'vt' }); // weak, allowed, warned of at start
    expect(loadConfig({ ...lark, LARK_MODE: 'websocket' }).lark).toMatchObject({ mode: 'websocket' }); // Lark's own channel
  });

  it('reads the bot menu as event keys to commands, and refuses an item without one or the other', () => {
    const lark = { LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's', LARK_ENCRYPT_KEY: 'k' };
    expect(loadConfig(lark).lark!.menu).toEqual({ todo: '待办公文', overdue: '督办逾期', stats: '年度统计', week: '本周统计', doc_in: '收文登记', db_add: '督办新建', help: '帮助' });
    expect(loadConfig({ ...lark, LARK_MENU: 'week=待办公文 本周, due = 督办逾期' }).lark!.menu).toEqual({ week: '待办公文 本周', due: '督办逾期' });
    for (const bad of ['待办公文', 'todo=', '=帮助']) expect(() => loadConfig({ ...lark, LARK_MENU: bad })).toThrow(/LARK_MENU: .*event_key=命令/);
  });

  it('keeps schedules off the hour and the half hour', () => {
    expect(() => loadConfig({ REMINDER_CRON: '0 9 * * *' })).toThrow(/REMINDER_CRON: expected a schedule off the hour/);
    expect(() => loadConfig({ WEEKLY_REPORT_CRON: '*/30 9 * * 1' })).toThrow(/WEEKLY_REPORT_CRON/);
    expect(loadConfig({ FEEDBACK_CRON: '45 8 * * 1-5' }).cron.feedback).toBe('45 8 * * 1-5');
  });

  it('lists every bad variable at once, hiding secrets', () => {
    try {
      loadConfig({ PORT: '99999', LOG_LEVEL: 'loud', DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 'hunter2', PROPOSAL_ANSWER_MONTHS: '7', LARK_DOMAIN: 'larksuite' });
      expect.unreachable();
    } catch (e) {
      const problems = (e as ConfigError).problems.join('\n');
      for (const v of ['PORT', 'LOG_LEVEL', 'DINGTALK_ROBOT_CODE', 'PROPOSAL_ANSWER_MONTHS', 'LARK_DOMAIN']) expect(problems).toContain(`${v}:`);
      expect(problems).not.toContain('hunter2');
    }
  });

  it('sends DingTalk work notices only when asked, and then only under an AgentId', () => {
    const dingtalk = { DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's', DINGTALK_ROBOT_CODE: 'r' };
    expect(loadConfig(dingtalk).dingtalk!.workNotice).toBeNull();
    expect(loadConfig({ ...dingtalk, DINGTALK_WORK_NOTICE: '1', DINGTALK_AGENT_ID: '3291043702' }).dingtalk!.workNotice).toEqual({ agentId: 3291043702 });
    expect(() => loadConfig({ ...dingtalk, DINGTALK_WORK_NOTICE: '1' })).toThrow(/DINGTALK_AGENT_ID: expected to be set when DINGTALK_WORK_NOTICE=1/);
    expect(() => loadConfig({ ...dingtalk, DINGTALK_WORK_NOTICE: 'yes' })).toThrow(/DINGTALK_WORK_NOTICE: expected 1 \(work notices\) or 0/);
    expect(() => loadConfig({ ...dingtalk, DINGTALK_WORK_NOTICE: '1', DINGTALK_AGENT_ID: 'agent' })).toThrow(/DINGTALK_AGENT_ID: expected the app’s AgentId/);
  });

  it('selects PostgreSQL by DATABASE_URL, the data folder still by DATABASE_PATH, and never shows the URL’s password', () => {
    expect(loadConfig({}).database).toBe('./data/bot.db');
    expect(loadConfig({ DATABASE_PATH: '/srv/zwbot/bot.db', DATABASE_URL: '  ' }).database).toBe('/srv/zwbot/bot.db'); // blank is unset
    const pg = loadConfig({ DATABASE_PATH: '/srv/zwbot/bot.db', DATABASE_URL: 'postgres://bot:hunter2@db.example:5432/zwbot' });
    expect(pg).toMatchObject({ database: 'postgres://bot:hunter2@db.example:5432/zwbot', databasePath: '/srv/zwbot/bot.db' });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://bot:hunter2@db.example/zwbot' })).toThrow(/DATABASE_URL: expected a PostgreSQL URL/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://bot:hunter2@db.example/zwbot' })).not.toThrow(/hunter2/);
  });

  it('documents every variable in .env.example and the README, and .env.example is valid as it stands', () => {
    const example = readFileSync('.env.example', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    for (const v of VARIABLES) {
      expect(example, v).toMatch(new RegExp(`^${v}=`, 'm'));
      expect(readme, v).toContain(`\`${v}\``);
    }
    expect(() => loadConfig(parseEnv(example))).not.toThrow();
  });
});
