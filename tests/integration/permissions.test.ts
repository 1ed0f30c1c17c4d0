import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
const DENIED = /不能使用|还没有使用/;

beforeAll(async () => {
  t = await makeBot();
  await t.say('单位新增 名称=县住房和城乡建设局 简称=住建局');
  await t.say('授权 console:contact 角色=联络员 单位=住建局');
  await t.say('授权 console:staff 角色=员工');
  await t.say('授权 console:leader 角色=领导');
  await t.say('授权 console:admin2 角色=管理员');
  await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 承办单位=住建局');
});
afterAll(() => t.close());

// the rights table (README: who may use what) for the commands this issue builds: ✓ allowed, – refused, and what the
// reply of a command that ran says (a refusal, an empty reply or a complaint about a field is not
// "may use"). The contact's 公文办结 is on their own unit's document (SW-2026-0001 is 住建局's).
const TABLE: [command: string, unknown: boolean, contact: boolean, staff: boolean, leader: boolean, admin: boolean, ran: RegExp][] = [
  ['帮助', true, true, true, true, true, /【政务助手：可用命令】/],
  ['我是谁', true, true, true, true, true, /【我是谁】/],
  ['公文查询 防汛', false, true, true, true, true, /【SW-2026-0001】/],
  ['待办公文', false, true, true, true, true, /【待办公文（全部）：共 \d+ 件】/],
  ['收文登记 标题=甲 来文单位=乙', false, false, true, false, true, /【已登记收文：SW-2026-\d{4}】/],
  ['发文登记 标题=甲 文号=丙{n} 主送=乙', false, false, true, false, true, /【已登记发文：FW-2026-\d{4}】/],
  ['公文分办 SW-2026-0001 承办单位=住建局', false, false, true, false, true, /【已分办：SW-2026-0001】/],
  ['公文办结 SW-2026-{doc}', false, true, true, false, true, /【已办结：SW-2026-\d{4}】/],
  ['建议查询 张三', false, true, true, true, true, /没有找到与「张三」相关的建议/],
  ['建议登记 编号={n} 标题=甲 代表=乙 主办单位=住建局', false, false, true, false, true, /【已登记建议：JY-2026-\d{3}】/],
  ['提案统计', false, true, true, true, true, /2026年还没有登记任何提案/],
  ['督办逾期', false, true, true, true, true, /没有逾期的督办件/],
  ['督办新建 标题=甲 牵头单位=住建局 时限=月底', false, false, true, true, true, /【已立督办：DB-2026-\d{4}】/],
  ['督办反馈 {item} 已部署', false, true, true, false, true, /【已反馈：DB-2026-\d{4}】/],
  ['督办批准 {ext}', false, false, false, true, true, /【已批准延期：DB-2026-\d{4}】/],
  ['人员列表', false, false, false, false, true, /【已授权人员：共 \d+ 人】/],
  ['单位列表', false, false, false, false, true, /【承办单位：共 \d+ 个】/],
  ['单位新增 名称=单位{n}', false, false, false, false, true, /已新增单位：单位\d+/],
  ['审计 1', false, false, false, false, true, /【最近 1 条操作记录】/],
  ['授权 console:someone{n} 角色=员工', false, false, false, false, true, /已授权：.*｜员工｜console:someone\d+/],
];
const WHO = ['console:stranger', 'console:contact', 'console:staff', 'console:leader', 'console:admin2'];

describe('rights table', () => {
  let n = 0;
  for (const [command, ...row] of TABLE) {
    const allowed = row.slice(0, 5) as boolean[];
    const ran = row[5] as RegExp;
    WHO.forEach((who, i) => {
      it(`${who} ${allowed[i] ? 'may' : 'may not'} use ${command.split(' ')[0]}`, async () => {
        n++;
        let text = command.replace('{n}', String(n));
        if (text.includes('{item}') || text.includes('{ext}')) {
          // a fresh item of the contact's unit; for {ext} with an extension waiting for a decision
          const r = await t.say(`督办新建 标题=事项${n} 牵头单位=住建局 时限=月底`);
          const regNo = /DB-2026-\d{4}/.exec(r)![0];
          if (text.includes('{ext}')) await t.say(`督办延期 ${regNo} 新时限=年底 理由=测试`);
          text = text.replace(/\{item\}|\{ext\}/, regNo);
        }
        if (text.includes('{doc}')) {
          // a fresh open document of the contact's unit for each closing
          const r = await t.say(`收文登记 标题=待办${n} 来文单位=乙 承办单位=住建局`);
          text = text.replace('{doc}', /SW-2026-(\d{4})/.exec(r)![1]!);
        }
        const reply = await t.say(text, who);
        if (allowed[i]) expect(reply).toMatch(ran);
        else expect(reply).toMatch(DENIED);
      });
    });
  }
});

describe('unknown senders', () => {
  it('are told how to get access, and leave no trace in people', async () => {
    const r = await t.say('收文登记 标题=甲 来文单位=乙', 'console:nobody');
    expect(r).toContain('请发送「我是谁」');
    expect(await t.scalar("SELECT count(*) FROM identities WHERE user_id = 'nobody'")).toBe(0);
  });

  it('see their platform id in 我是谁, ready for an admin to grant', async () => {
    const r = await t.say('我是谁', 'lark:ou_abc');
    expect(r).toContain('平台：lark');
    expect(r).toContain('平台用户ID：ou_abc');
    expect(r).toContain('角色：未授权');
    expect(r).toContain('授权 lark:ou_abc 角色=员工');
  });
});

describe('帮助', () => {
  it('lists only what the sender may use', async () => {
    const stranger = await t.say('帮助', 'console:stranger');
    expect(stranger).toContain('我是谁');
    expect(stranger).not.toContain('收文登记');
    expect(stranger).toContain('您尚未获得授权');
    const leader = await t.say('帮助', 'console:leader');
    expect(leader).toContain('公文查询');
    expect(leader).not.toContain('收文登记');
    expect(leader).not.toContain('授权');
    const admin = await t.say('help', 'console:admin2');
    expect(admin).toContain('收文登记');
    expect(admin).toContain('审计');
  });

  it('describes one command with its fields, defaults and an example', async () => {
    const r = await t.say('帮助 收文登记', 'console:staff');
    expect(r).toContain('标题*');
    expect(r).toContain('紧急程度（默认 平件）');
    expect(r).toContain('别名：登记收文、doc in');
    expect(r).toContain('示例：收文登记 标题=');
    expect(await t.say('帮助 授权', 'console:staff')).toContain('没有您可用的命令「授权」');
  });

  it('answers an unknown command with the closest names the sender may use', async () => {
    expect(await t.say('收文登机 标题=甲', 'console:staff')).toContain('「收文登记」');
    expect(await t.say('天气怎么样', 'console:staff')).toContain('没有这个命令');
  });
});
