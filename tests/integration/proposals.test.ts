import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importProposals } from '../../src/jobs/proposal-import';
import { systemActor } from '../../src/services/actor';
import { makeBot, tempDir, type TestBot } from '../helpers';
import { runNode } from '../spawn';
import { testDatabase } from '../test-db';

let t: TestBot;

beforeEach(async () => {
  t = await makeBot(); // 2026-11-25
  await t.say('单位新增 名称=县水利局 联络员=@console:shui');
  await t.say('单位新增 名称=县交通运输局 简称=县交通局 联络员=@console:jiao');
  await t.say('单位新增 名称=县教育局 联络员=@console:jiaoyu');
  await t.say('单位新增 名称=县卫生健康局 简称=县卫健局 联络员=@console:wei');
  await t.say('授权 console:staff 角色=员工');
});
afterEach(() => t.close());

const REGISTER = '建议登记 编号=12 标题=关于加强农村饮水安全保障的建议 代表=张三、李四 主办单位=县水利局 协办单位=县卫健局 交办日期=2026-03-20';

describe('登记 and 查询', () => {
  it('registers with a due date three months after assignment and tells the lead and co-units', async () => {
    const r = await t.say(REGISTER, 'console:staff');
    expect(r).toContain('已登记建议：JY-2026-012');
    expect(r).toContain('代表：张三、李四');
    expect(r).toContain('答复期限：2026-06-20（逾期 158 天）');
    expect(t.deliveredTo('console:shui').join()).toContain('建议交办：JY-2026-012（主办）');
    expect(t.deliveredTo('console:wei').join()).toContain('建议交办：JY-2026-012（协办）');
    expect(t.deliveredTo('console:jiao')).toHaveLength(0);
    expect(await t.say('提案登记 编号=3 标题=关于发展乡村旅游的提案 委员=王五 主办单位=县交通局')).toContain('已登记提案：TA-2026-003');
  });

  it('refuses a repeated number, a due date past six months or before assignment, and an unknown unit', async () => {
    await t.say(REGISTER);
    expect(await t.say(REGISTER)).toContain('已登记为 JY-2026-012');
    expect(await t.say('建议登记 编号=13 标题=甲 代表=乙 主办单位=县水利局 交办日期=2026-03-20 答复期限=2026-09-21')).toContain('超过了交办后六个月（2026-09-20）');
    expect(await t.say('建议登记 编号=13 标题=甲 代表=乙 主办单位=县水利局 交办日期=2026-03-20 答复期限=2026-09-20')).toContain('JY-2026-013');
    expect(await t.say('建议登记 编号=14 标题=甲 代表=乙 主办单位=县水利局 交办日期=2026-03-20 答复期限=2026-03-01')).toContain('早于交办日期');
    expect(await t.say('建议登记 编号=15 标题=甲 代表=乙 主办单位=县林业局')).toContain('未找到单位「县林业局」');
    expect(await t.say('建议登记 编号=第十五号 标题=甲 代表=乙 主办单位=县水利局')).toContain('「编号」应为正整数编号');
    expect(await t.say('提案登记 编号=1 标题=甲 代表=乙 主办单位=县水利局')).toContain('没有字段「代表」');
    expect(await t.say('提案登记 编号=1 标题=甲 主办单位=县水利局')).toContain('缺少「委员」');
  });

  // registration runs on statements prepared once; these are the rows they must write, by chat and by import alike
  it('writes the item, its units (lead first) and an audit entry with no before-state, from chat and from a spreadsheet', async () => {
    const unitId = (name: string) => t.scalar<number>('SELECT id FROM units WHERE name = ?', name);
    await t.say(REGISTER, 'console:staff');
    const staff = await t.scalar<number>("SELECT person_id FROM identities WHERE user_id = 'staff'");
    await importProposals(t.bot.services, Buffer.from('编号,标题,代表,主办单位,协办单位,交办日期\n13,乙,王五,县教育局,县水利局、县教育局,2026-08-31\n', 'utf8'), systemActor('npm run import'), 'test');
    const item = 'SELECT reg_no, kind, year, number, title, proposers, assigned_date, due_date, status, round, first_answer_on_time, answer_class, created_by, created_at, updated_at FROM proposals WHERE reg_no = ?';
    expect(await t.rows(item, 'JY-2026-012')).toEqual([
      { reg_no: 'JY-2026-012', kind: '建议', year: 2026, number: 12, title: '关于加强农村饮水安全保障的建议', proposers: '张三、李四', assigned_date: '2026-03-20', due_date: '2026-06-20', status: 'assigned', round: 1, first_answer_on_time: null, answer_class: null, created_by: staff, created_at: t.clock.now(), updated_at: t.clock.now() },
    ]);
    // three months after 08-31 is the last day of November; the lead unit named again as co-unit counts once
    expect(await t.rows(item, 'JY-2026-013')).toEqual([expect.objectContaining({ assigned_date: '2026-08-31', due_date: '2026-11-30', created_by: null })]);
    // the lead unit, then the co-unit (one each here): rows have no order of their own on PostgreSQL
    const units = 'SELECT unit_id, lead FROM proposal_units WHERE proposal_id = (SELECT id FROM proposals WHERE reg_no = ?) ORDER BY lead DESC, unit_id';
    expect(await t.rows(units, 'JY-2026-012')).toEqual([{ unit_id: await unitId('县水利局'), lead: 1 }, { unit_id: await unitId('县卫生健康局'), lead: 0 }]);
    expect(await t.rows(units, 'JY-2026-013')).toEqual([{ unit_id: await unitId('县教育局'), lead: 1 }, { unit_id: await unitId('县水利局'), lead: 0 }]);
    expect(await t.rows("SELECT actor, person_id, action, before, after FROM audit_log WHERE target = 'JY-2026-013'")).toEqual([
      { actor: 'system:npm run import', person_id: null, action: '建议登记', before: null, after: JSON.stringify({ title: '乙', proposers: '王五', leadUnit: '县教育局', coUnits: ['县水利局'], dueDate: '2026-11-30' }) },
    ]);
    expect(await t.rows("SELECT person_id, before FROM audit_log WHERE target = 'JY-2026-012'")).toEqual([{ person_id: staff, before: null }]);
  });

  it('finds by this year’s number, by full id, by proposer, unit or keyword, and suggests near numbers', async () => {
    await t.say(REGISTER);
    await t.say('建议登记 编号=13 标题=关于改善农村公路的建议 代表=张三 主办单位=县交通局 交办日期=2026-03-20');
    expect(await t.say('建议查询 12')).toContain('【JY-2026-012】');
    expect(await t.say('建议查询 jy2026012')).toContain('【JY-2026-012】');
    expect(await t.say('建议查询 第13号')).toContain('【JY-2026-013】');
    const byName = await t.say('建议查询 张三');
    expect(byName).toContain('共 2 件');
    expect(await t.say('建议查询 县交通局')).toContain('【JY-2026-013】');
    expect(await t.say('建议查询 饮水')).toContain('【JY-2026-012】');
    const missing = await t.say('建议查询 14');
    expect(missing).toContain('未找到建议 JY-2026-014');
    expect(missing).toContain('相近的编号：JY-2026-013、JY-2026-012');
    expect(await t.say('提案查询 12')).toContain('未找到提案 TA-2026-012');
  });

  it('shows a unit contact only the items of their unit', async () => {
    await t.say(REGISTER);
    await t.say('建议登记 编号=13 标题=关于改善农村公路的建议 代表=张三 主办单位=县交通局 交办日期=2026-03-20');
    expect(await t.say('建议查询 张三', 'console:wei')).toContain('【JY-2026-012】'); // a co-unit sees it
    expect(await t.say('建议查询 13', 'console:wei')).toContain('不属于您所在单位');
    expect(await t.say('建议统计', 'console:jiao')).toContain('共 1 件');
  });
});

describe('答复 and 评价', () => {
  beforeEach(async () => {
    await t.say(REGISTER); // due 2026-06-20
  });

  it('is on time on the due day itself and late the day after', async () => {
    await t.say('建议登记 编号=13 标题=甲 代表=乙 主办单位=县水利局 交办日期=2026-03-20');
    expect(await t.say('建议答复 12 类别=A 答复日期=2026-06-20', 'console:shui')).toContain('已答复（按时）');
    expect(await t.say('建议答复 13 类别=B 答复日期=2026-06-21', 'console:shui')).toContain('已答复（超期）');
  });

  it('refuses a bad class, an answer before assignment or in the future, a second answer, and a co-unit answering', async () => {
    expect(await t.say('建议答复 12 类别=E', 'console:shui')).toContain('「类别」应为 A/B/C/D 之一');
    expect(await t.say('建议答复 12 类别=A 答复日期=2026-03-01', 'console:shui')).toContain('早于交办日期');
    expect(await t.say('建议答复 12 类别=A 答复日期=2026-12-01', 'console:shui')).toContain('还没到');
    expect(await t.say('建议答复 12 类别=A', 'console:wei')).toContain('由主办单位 县水利局 答复');
    expect(await t.say('建议答复 12 类别=a', 'console:shui')).toContain('已答复');
    expect(await t.say('建议答复 12 类别=B', 'console:shui')).toContain('已于 2026-11-25 答复（A类）');
  });

  it('refuses an evaluation with no answer to evaluate', async () => {
    expect(await t.say('建议评价 12 满意', 'console:staff')).toContain('还没有答复，无可评价');
    expect(await t.say('建议评价 12 还行', 'console:staff')).toContain('「评价」应为 满意/基本满意/不满意 之一');
    expect(await t.say('建议评价 12 满意', 'console:shui')).toMatch(/不能使用/);
  });

  it('sends an item back on 不满意 with a new due date, keeping the first round, and takes a second answer', async () => {
    await t.say('建议答复 12 类别=C 答复日期=2026-06-10 内容=条件不具备', 'console:shui');
    const back = await t.say('建议评价 12 不满意', 'console:staff');
    expect(back).toContain('已退回重新办理');
    expect(back).toContain('状态：办理中（重新办理）');
    expect(back).toContain('答复期限：2026-12-25（剩 30 天）');
    expect(t.deliveredTo('console:shui').join()).toContain('建议重新办理：JY-2026-012');
    await t.say('建议答复 12 类别=B 内容=已列入明年计划', 'console:shui');
    const done = await t.say('建议评价 12 基本满意', 'console:staff');
    expect(done).toContain('第1轮：2026-06-10 答复（C类，按时），评价「不满意」');
    expect(done).toContain('答复：2026-11-25，B类，按时');
    expect(done).toContain('评价：基本满意');
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE target = 'JY-2026-012'")).toBe(5);
  });
});

describe('建议统计', () => {
  // 50 suggestions assigned 2026-03-20 (due 06-20), worked out by hand:
  //   县水利局 1–20: 1–18 answered on time, 19 late, 20 never; 1–10 满意, 11–15 基本满意, 16 不满意 (sent back)
  //   县交通局 21–35: all on time; 21–33 满意, 34 基本满意
  //   县教育局 36–50: 36–45 on time, 46–48 late, 49–50 never; 36–40 满意, 41–45 基本满意, 46 不满意
  beforeEach(async () => {
    const unitOf = (n: number) => (n <= 20 ? '县水利局' : n <= 35 ? '县交通局' : '县教育局');
    const late = new Set([19, 46, 47, 48]);
    const never = new Set([20, 49, 50]);
    const verdict = (n: number) =>
      (n <= 10 || (n >= 21 && n <= 33) || (n >= 36 && n <= 40) ? '满意' : (n >= 11 && n <= 15) || n === 34 || (n >= 41 && n <= 45) ? '基本满意' : n === 16 || n === 46 ? '不满意' : null);
    for (let n = 1; n <= 50; n++) {
      await t.say(`建议登记 编号=${n} 标题=第${n}号建议 代表=代表${n} 主办单位=${unitOf(n)} 交办日期=2026-03-20`);
      if (never.has(n)) continue;
      await t.say(`建议答复 ${n} 类别=A 答复日期=${late.has(n) ? '2026-06-25' : '2026-06-10'}`);
      const v = verdict(n);
      if (v) await t.say(`建议评价 ${n} ${v}`);
    }
  });

  it('gives totals, on-time and satisfaction rates, by status and by unit', async () => {
    const s = await t.bot.services.proposals.stats('建议', 2026, systemActor('test'));
    expect(s.total).toBe(50);
    expect(s.answered).toBe(47);
    expect(s.onTime).toEqual({ count: 43, of: 50 });
    expect(s.satisfied).toEqual({ count: 28, of: 41 });
    expect(s.basicallySatisfied).toEqual({ count: 11, of: 41 });
    expect(s.unsatisfied).toEqual({ count: 2, of: 41 });
    expect(s.byStatus).toEqual({ assigned: 3, in_progress: 2, answered: 6, evaluated: 39 });
    expect(s.byUnit.map((u) => [u.unit, u.total, u.answered, u.onTime, u.satisfied, u.basicallySatisfied])).toEqual([
      ['县水利局', 20, 19, { count: 18, of: 20 }, { count: 10, of: 16 }, { count: 5, of: 16 }],
      ['县交通运输局', 15, 15, { count: 15, of: 15 }, { count: 13, of: 14 }, { count: 1, of: 14 }],
      ['县教育局', 15, 13, { count: 10, of: 15 }, { count: 5, of: 11 }, { count: 5, of: 11 }],
    ]);
    const card = await t.say('建议统计 2026');
    expect(card).toContain('2026年建议办理情况：共 50 件');
    expect(card).toContain('按时答复率：86.0%（43/50）');
    expect(card).toContain('满意：68.3%（28/41）');
    expect(card).toContain('基本满意：26.8%（11/41）');
    expect(card).toContain('满意率（含基本满意）：95.1%（39/41）');
    expect(card).toContain('县教育局：15 件，已答复 13，按时 66.7%（10/15）');
    expect(await t.say('建议统计 2025')).toContain('2025年还没有登记任何建议');
    expect(await t.say('提案统计')).toContain('还没有登记任何提案');
  });
});

describe('npm run import -- proposals', () => {
  const CSV = [
    '编号,标题,代表,主办单位,协办单位,交办日期,备注',
    '1,关于加强农村饮水安全的建议,张三,县水利局,县卫健局,2026-03-20,',
    '2,"关于改善农村公路的建议，含逗号",李四,县交通局,,2026-03-20,',
    'abc,编号不对的一行,王五,县水利局,,2026-03-20,',
    '3,日期不对的一行,赵六,县教育局,,2026-02-30,',
    '4,单位不对的一行,钱七,县林业局,,2026-03-20,',
    '5,关于扩大学位供给的建议,孙八,县教育局,,2026-03-20,',
  ].join('\r\n');

  function run(bytes: Buffer) {
    return importProposals(t.bot.services, bytes, systemActor('npm run import'), `test:${t.clock.now()}`);
  }

  it.each([
    ['UTF-8', Buffer.from(CSV, 'utf8')],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV, 'utf8')])],
    ['GBK', iconv.encode(CSV, 'gbk')],
  ])('imports %s, reporting each bad row with its line number', async (_name, bytes) => {
    const r = await run(bytes);
    expect(r.imported).toBe(3);
    expect(r.errors).toEqual([
      { line: 4, message: '「编号」应为正整数编号，例如 12 或 第12号' },
      { line: 5, message: expect.stringContaining('「交办日期」无法识别日期「2026-02-30」') },
      { line: 6, message: expect.stringContaining('未找到单位「县林业局」') },
    ]);
    expect(r.ignoredColumns).toEqual(['备注']);
    expect(await t.say('建议查询 2')).toContain('关于改善农村公路的建议，含逗号');
    // one message per contact for the whole batch
    expect(t.deliveredTo('console:shui')).toHaveLength(1);
    expect(t.deliveredTo('console:jiaoyu').join()).toContain('新交办建议提案 1 件');
  });

  it('changes nothing when the same file is imported again, and says so', async () => {
    const bytes = Buffer.from(CSV, 'utf8');
    await run(bytes);
    const audits = await t.scalar('SELECT count(*) FROM audit_log');
    const again = await run(bytes);
    expect(again).toMatchObject({ imported: 0, existing: 3, notified: 0 });
    expect(await t.scalar('SELECT count(*) FROM proposals')).toBe(3);
    expect(await t.scalar('SELECT count(*) FROM audit_log')).toBe(audits);
  });

  it('takes mixed kinds by a 类型 column, and aliases in the header', async () => {
    const mixed = ['类型,编号,题目,提出人,牵头单位', '人大建议,7,甲建议,张三,县水利局', '政协提案,7,乙提案,李四,县水利局', '其他,8,丙,王五,县水利局'].join('\n');
    const r = await run(Buffer.from(mixed, 'utf8'));
    expect(r.imported).toBe(2);
    expect(r.errors).toEqual([{ line: 4, message: '「类型」应为 建议 或 提案（得到「其他」）' }]);
    expect(await t.scalar("SELECT count(*) FROM proposals WHERE reg_no IN ('JY-2026-007', 'TA-2026-007')")).toBe(2);
  });

  it('runs as a command, with exit code 1 when rows were refused', async () => {
    const { dir, cleanup } = tempDir();
    const database = await testDatabase(dir);
    try {
      const file = join(dir, 'ledger.csv');
      writeFileSync(file, iconv.encode(CSV, 'gbk'));
      const { env } = database;
      const units = await runNode('src/jobs/chat-cli.ts', ['--now', '2026-11-25T09:00:00+08:00'], env, '单位新增 县水利局\n单位新增 名称=县交通运输局 简称=县交通局\n单位新增 县教育局\n单位新增 名称=县卫生健康局 简称=县卫健局\n');
      expect(units.stdout.match(/已新增单位/g)).toHaveLength(4);
      const run = () => runNode('src/jobs/import-cli.ts', ['proposals', file], env);
      const first = await run();
      expect(first.code).toBe(1);
      expect(first.stdout).toContain('第 4 行：「编号」应为正整数编号');
      expect(first.stdout).toContain('导入 3 件；已存在、未改动 0 件；有误未导入 3 行。');
      const second = await run();
      expect(second.stdout).toContain('导入 0 件；已存在、未改动 3 件');
    } finally {
      await database.drop();
      cleanup();
    }
  });
});
