import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBot, type TestBot } from '../helpers';

let t: TestBot;

beforeEach(async () => {
  t = await makeBot();
  await t.say('单位新增 名称=县应急管理局 简称=应急局 联络员=@console:li');
  await t.say('单位新增 名称=县住房和城乡建设局 简称=住建局 联络员=@console:wang');
  await t.say('授权 console:zhang 角色=员工');
});
afterEach(() => t.close());

describe('收文登记', () => {
  it('registers with gap-free numbers, defaults and an audit entry', async () => {
    const r1 = await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 文号=市政办发〔2026〕12号 紧急程度=特急', 'console:zhang');
    expect(r1).toContain('已登记收文：SW-2026-0001');
    expect(r1).toContain('紧急程度：特急');
    expect(r1).toContain('收文日期：2026-11-25');
    const r2 = await t.say('登记收文\n标题：关于开展安全生产大检查的通知\n来文单位：市应急管理局', 'console:zhang');
    expect(r2).toContain('SW-2026-0002');
    expect(r2).toContain('紧急程度：平件');
    expect(await t.scalar("SELECT count(*) FROM audit_log WHERE action = '收文登记' AND actor LIKE '%console:zhang%' AND chat = 'console:local'")).toBe(2);
  });

  it('sent without fields, lists what to write where there are no forms, and registers nothing', async () => {
    const r = await t.say('收文登记', 'console:zhang');
    expect(r).toContain('收文登记 标题=… 来文单位=…');
    expect(r).toContain('可选：文号、紧急程度、密级、收文日期、办理时限、承办单位、备注');
    expect(r).toContain('示例：收文登记 标题=');
    // typed with a field missing, the answer is the refusal it always was
    expect(await t.say('收文登记 标题=甲', 'console:zhang')).toMatch(/^「收文登记」未执行：缺少「来文单位」/);
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });

  it('numbers by the year of the 收文日期', async () => {
    expect(await t.say('收文登记 标题=甲 来文单位=乙 收文日期=2025-12-31')).toContain('SW-2025-0001');
    expect(await t.say('收文登记 标题=丙 来文单位=丁')).toContain('SW-2026-0001');
  });

  it('assigns at registration, with a deadline in working days, and tells the unit contact', async () => {
    const r = await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 承办单位=应急局 办理时限=5个工作日');
    expect(r).toContain('承办单位：县应急管理局');
    expect(r).toContain('办理时限：2026-12-02（剩 7 天）');
    expect(r).toContain('状态：办理中');
    const told = t.deliveredTo('console:li');
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('请办理：SW-2026-0001');
    expect(told[0]).toContain('公文办结 SW-2026-0001');
  });

  it('refuses a missing field, naming it and showing an example, and stores nothing', async () => {
    const r = await t.say('收文登记 标题=关于做好防汛工作的通知');
    expect(r).toContain('缺少「来文单位」');
    expect(r).toContain('示例：收文登记 标题=');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });

  it('refuses a bad urgency and a bad date', async () => {
    expect(await t.say('收文登记 标题=甲 来文单位=乙 紧急程度=很急')).toContain('「紧急程度」应为 特急/加急/平件 之一');
    expect(await t.say('收文登记 标题=甲 来文单位=乙 办理时限=2月30日')).toContain('「办理时限」无法识别日期「2月30日」');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
  });

  it('refuses an unknown unit with the nearest names and uses no number', async () => {
    const r = await t.say('收文登记 标题=甲 来文单位=乙 承办单位=应急管理处');
    expect(r).toContain('未找到单位「应急管理处」');
    expect(r).toContain('县应急管理局');
    expect(await t.say('收文登记 标题=甲 来文单位=乙')).toContain('SW-2026-0001');
  });

  it.each(['县政办发[2026]12号', '县政办发（2026）12号', '县政办发 〔2026〕 12号'])('refuses the 文号 %s once 县政办发〔2026〕12号 is registered', async (again) => {
    await t.say('收文登记 标题=甲 来文单位=乙 文号=县政办发〔2026〕12号');
    const r = await t.say(`收文登记 标题=丙 来文单位=丁 文号=${again}`);
    expect(r).toContain('已登记为 SW-2026-0001');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(1);
  });

  it.each(['机密', '绝密', '秘密', '机密★1年'])('refuses a %s document and keeps nothing of it anywhere', async (level) => {
    const r = await t.say(`收文登记 标题=某涉密事项的通知 来文单位=某单位 密级=${level}`);
    expect(r).toContain('涉密公文');
    expect(await t.scalar('SELECT count(*) FROM documents')).toBe(0);
    const stored = (await t.column<string>('SELECT payload FROM inbox')).join('\n');
    const audited = (await t.column<string>("SELECT coalesce(before, '') || coalesce(after, '') FROM audit_log")).join('\n');
    expect(stored).not.toContain('某涉密事项');
    expect(audited).not.toContain('某涉密事项');
  });

  it('forgets a secret document even when other fields are also wrong', async () => {
    const r = await t.say('收文登记 标题=某涉密事项 密级=绝密 紧急程度=很急');
    expect(r).toContain('涉密公文');
    expect((await t.column<string>('SELECT payload FROM inbox')).join('\n')).not.toContain('某涉密事项');
  });
});

describe('发文登记', () => {
  it('registers FW numbers and refuses a repeated 文号 or a missing 主送', async () => {
    const r = await t.say('发文登记 标题=关于印发2027年工作要点的通知 文号=县政办发〔2026〕30号 主送=各乡镇人民政府 拟稿单位=秘书科', 'console:zhang');
    expect(r).toContain('已登记发文：FW-2026-0001');
    expect(r).toContain('主送：各乡镇人民政府');
    expect(await t.say('发文登记 标题=又一件 文号=县政办发[2026]30号 主送=县直各单位')).toContain('已登记为 FW-2026-0001');
    expect(await t.say('发文登记 标题=又一件 文号=县政办发〔2026〕31号')).toContain('缺少「主送」');
  });

  it('is registered as sent: no 待分办, no 办结 button, no to-do', async () => {
    const r = await t.say('发文登记 标题=关于印发2027年工作要点的通知 文号=县政办发〔2026〕30号 主送=各乡镇人民政府');
    expect(r).toContain('状态：已发出');
    expect(r).not.toContain('待分办');
    expect(r).not.toContain('公文办结');
    expect(await t.say('公文办结 FW-2026-0001')).toContain('FW-2026-0001 是发文：登记即已发出，无需办结');
    expect(await t.say('待办公文')).not.toContain('FW-2026-0001');
    expect(await t.say('公文查询 工作要点')).toContain('FW-2026-0001');
  });
});

describe('公文查询', () => {
  beforeEach(async () => {
    await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室 文号=市政办发〔2026〕12号');
    await t.say('收文登记 标题=关于防汛抗旱物资储备的报告 来文单位=市应急管理局');
    await t.say('收文登记 标题=关于开展安全生产大检查的通知 来文单位=市安委会');
  });

  it('finds by registration number, case- and dash-insensitively', async () => {
    for (const q of ['SW-2026-0002', 'sw20260002', 'sw-2026-2']) expect(await t.say(`公文查询 ${q}`)).toContain('【SW-2026-0002】');
    expect(await t.say('公文查询 SW-2026-0099')).toContain('未找到公文 SW-2026-0099');
  });

  it('finds by 文号 in any bracket style', async () => {
    expect(await t.say('公文查询 市政办发[2026]12号')).toContain('【SW-2026-0001】');
  });

  it('finds by a two-character keyword, listing several with a count', async () => {
    const r = await t.say('查公文 防汛');
    expect(r).toContain('共 2 件');
    expect(r).toContain('SW-2026-0001');
    expect(r).toContain('SW-2026-0002');
    expect(r).not.toContain('SW-2026-0003');
  });

  it('finds by longer and single-character terms and by the source unit', async () => {
    expect(await t.say('公文查询 安全生产大检查')).toContain('【SW-2026-0003】');
    expect(await t.say('公文查询 旱')).toContain('【SW-2026-0002】');
    expect(await t.say('公文查询 市安委会')).toContain('【SW-2026-0003】');
    expect(await t.say('公文查询 防汛 报告')).toContain('【SW-2026-0002】');
  });

  it('says when nothing matches, and asks for a term when none is given', async () => {
    expect(await t.say('公文查询 地震')).toContain('没有找到与「地震」相关的公文');
    expect(await t.say('公文查询')).toContain('缺少「关键词」');
    expect(await t.say('公文查询 ！！')).toContain('请给出登记号、文号或关键词');
  });
});

describe('公文分办, 公文办结, 待办公文', () => {
  beforeEach(async () => {
    await t.say('收文登记 标题=关于做好防汛工作的通知 来文单位=市政府办公室');
    await t.say('收文登记 标题=关于报送统计数据的通知 来文单位=市统计局 办理时限=2026-11-20 已逾期');
  });

  it('assigns a document, telling the unit contact, and closes it on time', async () => {
    const a = await t.say('公文分办 SW-2026-0001 承办单位=住建局 时限=下周五', 'console:zhang');
    expect(a).toContain('已分办：SW-2026-0001');
    expect(a).toContain('承办单位：县住房和城乡建设局');
    expect(a).toContain('2026-12-04');
    expect(t.deliveredTo('console:wang').join()).toContain('请办理：SW-2026-0001');
    const c = await t.say('公文办结 SW-2026-0001 已部署落实', 'console:wang');
    expect(c).toContain('已办结（2026-11-25，按时）');
    expect(c).toContain('办理结果：已部署落实');
    expect(await t.say('公文办结 SW-2026-0001')).toContain('已于 2026-11-25 办结');
  });

  it('records a late closing, and an on-time one on the deadline day itself', async () => {
    expect(await t.say('公文办结 SW-2026-0002')).toContain('超期');
    await t.say('公文分办 SW-2026-0001 承办单位=应急局 时限=今天');
    expect(await t.say('公文办结 SW-2026-0001')).toContain('按时');
  });

  it('refuses to assign a closed document, an outgoing one, or to an unknown unit', async () => {
    expect(await t.say('公文分办 SW-2026-0001 承办单位=不存在的局')).toContain('未找到单位');
    await t.say('公文办结 SW-2026-0001');
    expect(await t.say('公文分办 SW-2026-0001 承办单位=住建局')).toContain('已办结，不能再分办');
    await t.say('发文登记 标题=甲 文号=县政办发〔2026〕1号 主送=乙');
    expect(await t.say('公文分办 FW-2026-0001 承办单位=住建局')).toContain('只有收文需要分办');
    expect(await t.say('公文分办 XX-1 承办单位=住建局')).toContain('不是公文登记号');
  });

  it('lets a unit contact close only their own unit’s documents', async () => {
    await t.say('公文分办 SW-2026-0001 承办单位=住建局');
    expect(await t.say('公文办结 SW-2026-0001', 'console:li')).toContain('未找到公文 SW-2026-0001（或不属于您所在单位）');
    expect(await t.say('公文办结 SW-2026-0001', 'console:wang')).toContain('已办结');
  });

  it('lists open documents by deadline, overdue first, and filters', async () => {
    const all = await t.say('待办公文');
    expect(all).toContain('共 2 件');
    expect([...new Set(all.match(/SW-2026-\d{4}/g))]).toEqual(['SW-2026-0002', 'SW-2026-0001']);
    expect(all).toContain('逾期 5 天');
    const overdue = await t.say('待办公文 逾期');
    expect(overdue).toContain('共 1 件');
    expect(overdue).toContain('SW-2026-0002');
    expect(await t.say('待办公文 本周')).toContain('共 1 件');
    expect(await t.say('待办公文 明年')).toContain('「范围」应为 全部/逾期/本周 之一');
  });

  it('shows a unit contact only their unit’s open documents', async () => {
    await t.say('公文分办 SW-2026-0001 承办单位=住建局');
    const r = await t.say('待办公文', 'console:wang');
    expect(r).toContain('共 1 件');
    expect(r).not.toContain('SW-2026-0002');
    expect(await t.say('公文查询 统计', 'console:wang')).toContain('没有找到');
  });
});
