import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;
const DENIED = /不能使用|还没有使用/;
const NEW = '督办新建 标题=推进老旧小区改造 批示领导=console:wang 批示内容=请住建局牵头，月底前拿出方案 牵头单位=县住建局 配合单位=县财政局 时限=2026-12-31 反馈周期=每周';

beforeEach(async () => {
  t = await makeBot(); // Wednesday 2026-11-25 09:00
  await t.say('单位新增 名称=县住房和城乡建设局 简称=县住建局 联络员=@console:li');
  await t.say('单位新增 名称=县财政局 联络员=@console:zhao');
  await t.say('单位新增 名称=县教育局 联络员=@console:qian');
  await t.say('授权 console:wang 角色=领导');
  await t.say('授权 console:chen 角色=领导');
  await t.say('授权 console:staff 角色=员工');
});
afterEach(() => t.close());

describe('buttons', () => {
  it('shows each person only the buttons their role may press, in replies and in notifications alike', async () => {
    await t.say(NEW, 'console:staff');
    await t.say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=需要协调资金', 'console:li');
    const buttons = (reply: string) => [...reply.matchAll(/\[([^\]]+)\] 发送：/g)].map((m) => m[1]);
    expect(buttons(await t.say('督办查询 DB-2026-0001', 'console:li'))).toEqual([]); // a contact: neither approves nor closes
    expect(buttons(await t.say('督办查询 DB-2026-0001', 'console:staff'))).toEqual(['办结']);
    expect(buttons(await t.say('督办查询 DB-2026-0001', 'console:wang'))).toEqual(['批准延期', '办结']);
    // one card to people of different roles: one row per role, each with its own buttons
    const ids = await t.column<number>("SELECT person_id FROM identities WHERE platform = 'console' AND user_id IN ('li', 'wang') ORDER BY user_id");
    expect(ids).toHaveLength(2);
    await t.bot.db.tx(() => t.bot.services.notify.people(ids, { card: { title: '测试', tone: 'info', actions: [{ label: '批准', command: '督办批准 DB-2026-0001' }, { label: '查看', command: '督办查询 DB-2026-0001' }] } }, 'test-buttons'));
    await t.bot.dispatcher.flush();
    expect(buttons(t.deliveredTo('console:li').at(-1)!)).toEqual(['查看']);
    expect(buttons(t.deliveredTo('console:wang').at(-1)!)).toEqual(['批准', '查看']);
  });
});

describe('names in an item’s record', () => {
  it('shows who gave feedback or asked for more time by the name known now, not the id they wrote under', async () => {
    await t.say(NEW, 'console:staff');
    await t.say('督办反馈 DB-2026-0001 已召开专题会议', 'console:li');
    await t.say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=需要协调资金', 'console:li');
    expect(await t.say('督办查询 DB-2026-0001')).toContain('console:li');
    await t.say('授权 console:li 角色=联络员 单位=县住建局 姓名=李四');
    const shown = await t.say('督办查询 DB-2026-0001');
    expect(shown).toContain('李四');
    expect(shown).not.toContain('console:li');
  });
});

describe('the source of an item', () => {
  it('is what someone said: a named leader makes it 领导批示, nothing named records 未注明, counted apart', async () => {
    expect(await t.say('督办新建 标题=甲 牵头单位=县住建局 时限=2026-12-31')).toContain('来源：未注明');
    expect(await t.say('督办新建 标题=乙 批示领导=console:wang 牵头单位=县住建局 时限=2026-12-31')).toContain('来源：领导批示');
    expect(await t.say('督办新建 标题=丙 来源=常务会议 牵头单位=县住建局 时限=2026-12-31')).toContain('来源：常务会议');
    // a leader creating an item instructs it
    expect(await t.say('督办新建 标题=丁 牵头单位=县住建局 时限=2026-12-31', 'console:chen')).toContain('来源：领导批示');
    const week = await t.say('本周统计');
    expect(week).toContain('其中领导批示：2 件（另有 1 件未注明来源）');
  });
});

describe('the life of a supervision item', () => {
  it('goes from creation through feedback and an approved extension to closing on time, telling everyone concerned', async () => {
    const created = await t.say(NEW, 'console:staff');
    expect(created).toContain('已立督办：DB-2026-0001');
    expect(created).toContain('状态：已交办');
    expect(created).toContain('批示领导：console:wang');
    expect(created).toContain('下次反馈：2026-12-02');
    for (const contact of ['console:li', 'console:zhao']) expect(t.deliveredTo(contact).join()).toContain('新督办件：DB-2026-0001');
    expect(t.deliveredTo('console:qian')).toHaveLength(0);

    const fb = await t.say('督办反馈 DB-2026-0001 已召开专题会议，明确分工', 'console:li');
    expect(fb).toContain('状态：办理中');
    expect(fb).toContain('已召开专题会议');
    t.clock.advance(7 * 86_400_000);
    await t.say('督办反馈 DB-2026-0001 方案初稿完成', 'console:zhao');

    const asked = await t.say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=需等待省级资金下达', 'console:li');
    expect(asked).toContain('延期申请 2026-12-31 → 2027-01-15');
    const toLeader = t.deliveredTo('console:wang').join();
    expect(toLeader).toContain('延期申请：DB-2026-0001');
    expect(toLeader).toContain('[批准] 发送：督办批准 DB-2026-0001');
    expect(toLeader).toContain('[驳回] 发送：督办驳回 DB-2026-0001 理由=');
    expect(t.deliveredTo('console:chen')).toHaveLength(0);

    const approved = await t.say('督办批准 DB-2026-0001', 'console:wang');
    expect(approved).toContain('时限：2027-01-15');
    expect(t.deliveredTo('console:li').join()).toContain('延期已批准：DB-2026-0001');

    const closed = await t.say('督办办结 DB-2026-0001 结果=改造方案已经常务会议审议通过', 'console:staff');
    expect(closed).toContain('已于 2026-12-02 办结（按时）');
    expect(closed).toContain('办结情况：改造方案已经常务会议审议通过');
    const actions = await t.column("SELECT action FROM audit_log WHERE target = 'DB-2026-0001' ORDER BY id");
    expect(actions).toEqual(['督办新建', '督办反馈', '督办反馈', '督办延期申请', '督办批准延期', '督办办结']);
  });

  it('shows the feedback history newest first, with days left and the warning level', async () => {
    await t.say(NEW);
    await t.say('督办反馈 DB-2026-0001 第一次反馈', 'console:li');
    t.clock.advance(86_400_000);
    await t.say('督办反馈 DB-2026-0001 第二次反馈', 'console:li');
    const r = await t.say('督办查询 db-2026-1', 'console:wang');
    expect([...new Set(r.match(/第[一二]次反馈/g))]).toEqual(['第二次反馈', '第一次反馈']);
    expect(r).toContain('剩 35 天');
    expect(r).toContain('预警：绿色');
    t.clock.set(Date.parse('2027-01-02T09:00:00+08:00'));
    const late = await t.say('督办查询 DB-2026-0001', 'console:wang');
    expect(late).toContain('状态：已逾期');
    expect(late).toContain('已逾期 2 天');
    expect(late).toContain('预警：红色');
  });
});

describe('refusals', () => {
  beforeEach(async () => {
    await t.say(NEW);
  });

  it('will not close an item without feedback', async () => {
    expect(await t.say('督办办结 DB-2026-0001', 'console:wang')).toContain('还没有任何反馈，不能办结');
    expect(await t.column('SELECT status FROM supervision_items')).toEqual(['assigned']);
  });

  it('lets only the lead unit or staff ask for an extension', async () => {
    expect(await t.say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=x', 'console:zhao')).toContain('只有牵头单位或办公室工作人员可以');
    expect(await t.say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=x', 'console:wang')).toMatch(DENIED);
    expect(await t.say('督办延期 DB-2026-0001 新时限=2026-12-20 理由=x', 'console:staff')).toContain('应晚于现在的时限');
    expect(await t.say('督办延期 DB-2026-0001 新时限=2027-01-15', 'console:staff')).toContain('缺少「理由」');
    expect(await t.say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=资金未到', 'console:staff')).toContain('等待领导审批');
    expect(await t.say('督办延期 DB-2026-0001 新时限=2027-01-20 理由=又一次', 'console:li')).toContain('已有一项延期申请');
  });

  it('lets only a leader approve, and only the instructing one', async () => {
    await t.say('督办延期 DB-2026-0001 新时限=2027-01-15 理由=资金未到', 'console:li');
    expect(await t.say('督办批准 DB-2026-0001', 'console:staff')).toMatch(DENIED);
    expect(await t.say('督办批准 DB-2026-0001', 'console:li')).toMatch(DENIED);
    expect(await t.say('督办批准 DB-2026-0001', 'console:chen')).toContain('由批示领导 console:wang 审批');
    const rejected = await t.say('督办驳回 DB-2026-0001 理由=请按原时限办结', 'console:wang');
    expect(rejected).toContain('时限：2026-12-31');
    expect(t.deliveredTo('console:li').join()).toContain('延期未批准');
    expect(await t.say('督办批准 DB-2026-0001', 'console:wang')).toContain('没有等待审批的延期申请');
  });

  it('keeps a unit contact to their own unit’s items', async () => {
    expect(await t.say('督办反馈 DB-2026-0001 我们来帮忙', 'console:qian')).toContain('未找到督办件 DB-2026-0001（或不属于您所在单位）');
    expect(await t.say('督办查询 DB-2026-0001', 'console:qian')).toContain('不属于您所在单位');
    expect(await t.say('督办逾期', 'console:qian')).toContain('没有逾期');
    expect(await t.say('督办反馈 DB-2026-0001 配合单位也能反馈', 'console:zhao')).toContain('已反馈');
    expect(await t.say('督办反馈 DB-2026-0001 领导不反馈', 'console:wang')).toMatch(DENIED);
  });

  it('refuses a past deadline, an unknown unit and a 批示领导 who is not a leader', async () => {
    expect(await t.say('督办新建 标题=甲 牵头单位=县住建局 时限=2026-11-01')).toContain('已经过去');
    expect(await t.say('督办新建 标题=甲 牵头单位=县水利局 时限=月底')).toContain('未找到单位「县水利局」');
    expect(await t.say('督办新建 标题=甲 批示领导=console:staff 牵头单位=县住建局 时限=月底')).toContain('不是领导角色');
    expect(await t.say('督办新建 标题=甲 批示领导=李局长 牵头单位=县住建局 时限=月底')).toContain('没有名叫「李局长」的领导');
    expect(await t.say('督办新建 标题=甲 来源=群众来信 牵头单位=县住建局 时限=月底')).toContain('「来源」应为 领导批示/常务会议/重点工作/问题清单 之一');
    expect(await t.scalar('SELECT count(*) FROM supervision_items')).toBe(1);
  });

  it('makes a leader the instructing leader of the items they create', async () => {
    expect(await t.say('督办新建 标题=甲 牵头单位=县住建局 时限=月底', 'console:chen')).toContain('批示领导：console:chen');
  });
});

describe('lists', () => {
  it('sort by urgency: overdue first, then red, yellow, green', async () => {
    // all created on 11-25; by 12-20: A overdue since 12-10, B due 12-22 (red), C due 12-31 (yellow), D due 2027-03-31 (green)
    await t.say('督办新建 标题=住建甲 牵头单位=县住建局 时限=2027-03-31');
    await t.say('督办新建 标题=住建乙 牵头单位=县住建局 时限=2026-12-31');
    await t.say('督办新建 标题=住建丙 牵头单位=县住建局 时限=2026-12-10');
    await t.say('督办新建 标题=住建丁 牵头单位=县住建局 时限=2026-12-22');
    t.clock.set(Date.parse('2026-12-20T09:00:00+08:00'));
    const r = await t.say('督办查询 县住建局');
    expect(r.match(/住建[甲乙丙丁]/g)).toEqual(['住建丙', '住建丁', '住建乙', '住建甲']);
    expect(r).toContain('共 4 件');
    const overdue = await t.say('督办逾期');
    expect(overdue).toContain('共 1 件');
    expect(overdue).toContain('已逾期 10 天');
    expect(await t.say('督办查询 住建', 'console:li')).toContain('共 4 件');
  });
});
