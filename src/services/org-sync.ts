// 单位同步 and people leaving: Feishu's departments matched with the office's units, and what the
// office must do when a contact leaves. The departments are read by a background task
// (src/engine/departments.ts) into org_snapshots: a command cannot wait on Feishu, and no HTTP call
// may happen inside a transaction. A request is a snapshot row being read; whoever asked is sent
// the proposal once it is read; 确认 applies one snapshot, once.
import { and, desc, eq, inArray, isNull, lt, ne, or } from 'drizzle-orm';
import { changedRows, type Db } from '../../db/client';
import { lockName, lockRows, LOCK_SPACES } from '../../db/locks';
import { orgSnapshots } from '../../db/schema';
import type { Clock } from '../lib/clock';
import { formatLocalDateTime } from '../lib/dates';
import { card, text, type Reply } from '../lib/reply';
import { ROLE_LABELS, systemActor, type Actor } from './actor';
import type { AuditService } from './audit';
import { UserError } from './errors';
import type { NotifyService } from './notify';
import { identityKey, type Identity, type PeopleService } from './people';
import type { UnitsService, UnitView } from './units';

export type Department = NonNullable<(typeof orgSnapshots.$inferSelect)['departments']>[number];
type Snapshot = typeof orgSnapshots.$inferSelect;

/** What a read of the directory came to: the departments, Feishu's refusal, or no answer at all. */
export type DirectoryRead = { departments: Department[] } | { refused: { code: number; msg: string } } | { unreachable: string };

// only Feishu has departments the bot reads
const PLATFORM = 'lark';
// a snapshot in use is read again daily, so that 单位同步 answers at once from one at most a day old
const REFRESH_MS = 86_400_000;
// a read taken up by a process that died is taken up again by another after this long
const CLAIM_MS = 300_000;
const DIRECTORY_ACTOR = '飞书通讯录';
// a read is kept this long (a row a day from the refresh), and the latest successful one always
const KEPT_MS = 90 * 86_400_000;

interface Proposal {
  /** matched by the department recorded on the unit, or by full name, the names alike */
  same: { unit: UnitView; dept: Department }[];
  /** matched otherwise: by short name or alias, or the recorded department renamed (its new name becomes an alias) */
  changed: { unit: UnitView; dept: Department; alias: string | null }[];
  /** departments at the top of what the app sees, with no unit: new units */
  fresh: Department[];
  /** departments whose name is already a unit's, that unit matched with another department: left for the admin */
  clashing: Department[];
  /** sub-departments with no unit, which stay part of their parent's unit */
  subDepartments: number;
  unmatched: UnitView[];
}

/** The names each unit is known by, as the match reads them. */
const namesOf = (u: UnitView) => [u.name, ...(u.shortName ? [u.shortName] : []), ...u.aliases];

function propose(departments: readonly Department[], units: readonly UnitView[]): Proposal {
  const unitOf = new Map<string, { unit: UnitView; by: 'id' | 'name' | 'alias' }>();
  const taken = new Set<number>();
  const take = (dept: Department, unit: UnitView | undefined, by: 'id' | 'name' | 'alias') => {
    if (!unit || unitOf.has(dept.id) || taken.has(unit.id)) return;
    unitOf.set(dept.id, { unit, by });
    taken.add(unit.id);
  };
  // the department a unit was matched with before wins over names, which may have changed since
  for (const dept of departments) take(dept, units.find((u) => u.larkDepartmentId === dept.id), 'id');
  for (const dept of departments) take(dept, units.find((u) => !taken.has(u.id) && u.name === dept.name), 'name');
  for (const dept of departments) take(dept, units.find((u) => !taken.has(u.id) && namesOf(u).includes(dept.name)), 'alias');

  const visible = new Set(departments.map((d) => d.id));
  const known = new Set(units.flatMap(namesOf));
  const p: Proposal = { same: [], changed: [], fresh: [], clashing: [], subDepartments: 0, unmatched: units.filter((u) => !taken.has(u.id)) };
  for (const dept of departments) {
    const match = unitOf.get(dept.id);
    if (match && (match.by === 'name' || match.unit.name === dept.name)) p.same.push({ unit: match.unit, dept });
    // a renamed department's new name is free to become the unit's alias only if no unit goes by it
    else if (match) p.changed.push({ unit: match.unit, dept, alias: match.by === 'id' && !known.has(dept.name) ? dept.name : null });
    else if (visible.has(dept.parentId)) p.subDepartments++;
    else if (known.has(dept.name)) p.clashing.push(dept);
    else {
      known.add(dept.name);
      p.fresh.push(dept);
    }
  }
  return p;
}

export function createOrgSyncService(
  db: Db,
  clock: Clock,
  deps: { audit: AuditService; people: PeopleService; units: UnitsService; notify: NotifyService; timezone: string; directories: readonly string[]; onRequest?: (() => void) | undefined },
) {
  const { audit, people, units, notify, timezone } = deps;
  const at = (ms: number) => formatLocalDateTime(ms, timezone);
  // one request row and one daily refresh at a time, whichever instance looks
  const lockRequests = () => lockName(db, LOCK_SPACES.jobSlot, `org-sync:${PLATFORM}`);

  async function latest(...statuses: Snapshot['status'][]): Promise<Snapshot | undefined> {
    const [row] = await db.q.select().from(orgSnapshots).where(and(eq(orgSnapshots.platform, PLATFORM), inArray(orgSnapshots.status, statuses))).orderBy(desc(orgSnapshots.id)).limit(1);
    return row;
  }
  /** The departments as last read: a failed read (a refresh while Feishu was down) changes nothing the office uses. */
  const latestRead = () => latest('read');
  /** The last read that came to anything, failed or not: what the admin is shown, and what the daily refresh is paced by. */
  const latestDone = () => latest('read', 'failed');
  const pending = () => latest('reading');

  function proposalCard(snap: Snapshot, p: Proposal): Reply {
    const lines: string[] = [];
    const list = (items: string[]) => items.map((i) => `· ${i}`);
    if (p.fresh.length) lines.push(`**新增单位 ${p.fresh.length} 个**（飞书中有、单位中没有的部门）：`, ...list(p.fresh.map((d) => d.name)));
    if (p.changed.length) {
      lines.push(
        `**名称不同 ${p.changed.length} 个**（单位名称不改，只记录对应关系）：`,
        ...list(p.changed.map((c) => `${c.unit.name} ← 飞书部门「${c.dept.name}」${c.alias ? '（部门已改名，新名称加为别名）' : '（按简称或别名对应）'}`)),
      );
    }
    if (p.same.length) lines.push(`**名称一致 ${p.same.length} 个**：${p.same.map((s) => s.unit.name).join('、')}`);
    if (p.unmatched.length) lines.push(`**未对应的单位 ${p.unmatched.length} 个**（飞书中没有同名部门，保持不变）：${p.unmatched.map((u) => u.name).join('、')}`);
    if (p.clashing.length) lines.push(`**重名未处理 ${p.clashing.length} 个**（名称已被另一部门对应的单位使用）：${p.clashing.map((d) => d.name).join('、')}`);
    if (p.subDepartments) lines.push(`另有 ${p.subDepartments} 个下级部门没有对应单位，不新增（下级部门属于其上级单位）。`);
    lines.push(snap.appliedAt ? `已于 ${at(snap.appliedAt)} 由 ${snap.appliedBy ?? '管理员'} 确认。` : '确认后：新增上述单位，记录各单位对应的飞书部门。不授予任何人角色，联络员仍用「授权」指定。');
    return card({
      title: `单位同步建议（飞书通讯录 ${at(snap.readAt ?? snap.requestedAt)} 读取，共 ${snap.departments?.length ?? 0} 个部门）`,
      tone: 'info',
      lines,
      actions: [...(snap.appliedAt ? [] : [{ label: '确认同步', command: `单位同步 确认 ${snap.id}` }]), { label: '重新读取', command: '单位同步 刷新' }],
    });
  }

  function failureText(read: Exclude<DirectoryRead, { departments: Department[] }>): string {
    if ('refused' in read) {
      return (
        `无法读取飞书通讯录的部门：飞书拒绝了请求（错误码 ${read.refused.code}：${read.refused.msg}）。单位未做任何更改。` +
        '请在飞书开发者后台为应用开通「获取通讯录基本信息」或「获取通讯录部门组织架构信息」权限，并在「通讯录权限范围」中加入各单位所在的部门，发布新版本后发送「单位同步 刷新」。'
      );
    }
    return `暂时无法连接飞书读取通讯录的部门（${read.unreachable}）。单位未做任何更改，请稍后发送「单位同步 刷新」重试。`;
  }

  /** Asks for a read; the asker is sent the proposal when it is done. In the caller's transaction. */
  async function request(actor: Actor): Promise<void> {
    await lockRequests();
    const row = await pending();
    const asker = actor.personId === null ? [] : [actor.personId];
    if (row) await db.q.update(orgSnapshots).set({ requestedBy: [...new Set([...row.requestedBy, ...asker])] }).where(eq(orgSnapshots.id, row.id));
    else await db.q.insert(orgSnapshots).values({ platform: PLATFORM, status: 'reading', requestedAt: clock.now(), requestedBy: asker });
    if (deps.onRequest) db.afterCommit(deps.onRequest);
  }

  return {
    /**
     * 单位同步: the proposal from the last read (with its time), or, with none yet or `refresh`,
     * a read asked for, its proposal sent when ready. In the caller's transaction.
     */
    async overview(actor: Actor, refresh: boolean): Promise<Reply> {
      if (!deps.directories.includes(PLATFORM)) throw new UserError('本机器人未接入飞书，无法读取通讯录部门。');
      const last = await latestDone();
      if (!refresh && last?.status === 'read') return proposalCard(last, propose(last.departments ?? [], await units.list()));
      await request(actor);
      return text('正在读取飞书通讯录的部门，读取完成后会把单位同步建议发给您（通常几秒钟）。');
    },

    /** 单位同步 确认 <id>: the snapshot's proposal applied, once, and only the latest. In the caller's transaction. */
    async confirm(id: number, actor: Actor): Promise<Reply> {
      await lockRows(db, orgSnapshots, eq(orgSnapshots.id, id));
      const [snap] = await db.q.select().from(orgSnapshots).where(and(eq(orgSnapshots.id, id), eq(orgSnapshots.platform, PLATFORM))).limit(1);
      if (!snap || snap.status !== 'read') throw new UserError(`没有编号为 ${id} 的单位同步建议。请发送「单位同步」查看最新建议，例如：单位同步`);
      if (snap.appliedAt) return text(`这份单位同步建议已于 ${at(snap.appliedAt)} 由 ${snap.appliedBy ?? '管理员'} 确认，无需再次确认，未做更改。`);
      if ((await latestRead())?.id !== id) throw new UserError('这份单位同步建议已有更新的读取结果，请发送「单位同步」查看最新建议后再确认。');
      const p = propose(snap.departments ?? [], await units.list());
      for (const dept of p.fresh) {
        const unit = await units.add(dept.name, undefined, undefined, actor);
        await units.linkDepartment(unit.id, dept.id, actor);
      }
      for (const { unit, dept } of [...p.same, ...p.changed]) await units.linkDepartment(unit.id, dept.id, actor);
      const aliased = p.changed.filter((c) => c.alias !== null);
      for (const c of aliased) await units.setAliases(c.unit.name, [...c.unit.aliases, c.alias!], actor);
      await db.q.update(orgSnapshots).set({ appliedAt: clock.now(), appliedBy: actor.name || actor.identity }).where(eq(orgSnapshots.id, id));
      const summary = { created: p.fresh.map((d) => d.name), linked: p.same.length + p.changed.length, aliases: aliased.map((c) => `${c.unit.name}：${c.alias}`) };
      await audit.record(actor, '单位同步', `飞书通讯录 ${at(snap.readAt!)}`, null, summary);
      return text(
        `已完成单位同步：新增单位 ${p.fresh.length} 个${p.fresh.length ? `（${summary.created.join('、')}）` : ''}，` +
          `记录对应部门 ${summary.linked} 个，新增别名 ${aliased.length} 个。发送「单位列表」查看。`,
      );
    },

    /**
     * For the background reader: the snapshot to read now (asked for, or the daily refresh of one
     * in use), taken up for CLAIM_MS; null when nothing is due. In the caller's transaction.
     */
    async due(): Promise<number | null> {
      await lockRequests();
      const now = clock.now();
      const [asked] = await db.q
        .select({ id: orgSnapshots.id })
        .from(orgSnapshots)
        .where(and(eq(orgSnapshots.platform, PLATFORM), eq(orgSnapshots.status, 'reading'), or(isNull(orgSnapshots.claimedAt), lt(orgSnapshots.claimedAt, now - CLAIM_MS))))
        .orderBy(orgSnapshots.id)
        .limit(1);
      if (asked) {
        await db.q.update(orgSnapshots).set({ claimedAt: now }).where(eq(orgSnapshots.id, asked.id));
        return asked.id;
      }
      // refreshed only once 单位同步 has been used: an office that never syncs never has its directory read
      const last = await latestDone();
      if (!last || (await pending()) || now - (last.readAt ?? last.requestedAt) < REFRESH_MS) return null;
      const [daily] = await db.q.insert(orgSnapshots).values({ platform: PLATFORM, status: 'reading', requestedAt: now, claimedAt: now }).returning({ id: orgSnapshots.id });
      return daily!.id;
    },

    /** What the read came to; whoever asked is sent the proposal, or why there is none. In the caller's transaction. */
    async read(id: number, result: DirectoryRead): Promise<void> {
      // request() adds an asker to the row while it is 'reading', under this lock: without it, on
      // PostgreSQL an asker added while this transaction is open would join a proposal already sent
      await lockRequests();
      await lockRows(db, orgSnapshots, eq(orgSnapshots.id, id));
      const [snap] = await db.q.select().from(orgSnapshots).where(eq(orgSnapshots.id, id)).limit(1);
      // another process finished it first
      if (!snap || snap.status !== 'reading') return;
      const now = clock.now();
      const done =
        'departments' in result
          ? { status: 'read' as const, departments: result.departments, readAt: now }
          : { status: 'failed' as const, error: 'refused' in result ? `${result.refused.code} ${result.refused.msg}` : result.unreachable, readAt: now };
      await db.q.update(orgSnapshots).set(done).where(eq(orgSnapshots.id, id));
      const reply = 'departments' in result ? proposalCard({ ...snap, ...done }, propose(result.departments, await units.list())) : text(failureText(result));
      for (const personId of snap.requestedBy) await notify.person(personId, reply, `org-sync:${id}`);
    },

    /** Drops reads older than KEPT_MS but the latest successful one (its department leaders name whom to ask when someone leaves). */
    async purge(): Promise<number> {
      return db.tx(async () => {
        const kept = await latestRead();
        const old = and(eq(orgSnapshots.platform, PLATFORM), ne(orgSnapshots.status, 'reading'), lt(orgSnapshots.requestedAt, clock.now() - KEPT_MS));
        return changedRows(await db.q.delete(orgSnapshots).where(kept ? and(old, ne(orgSnapshots.id, kept.id)) : old));
      });
    },

    /**
     * Someone has left the organisation (Feishu's directory says so): their roles end, audited as
     * done by the directory, and every admin is told, with the units left without a contact and
     * whom to ask there. False for someone the bot never knew or who held nothing. In the caller's transaction.
     */
    async personLeft(user: Identity & { name?: string | undefined }): Promise<boolean> {
      const gone = await people.departed(user, systemActor(DIRECTORY_ACTOR));
      if (!gone) return false;
      const who = `${gone.before.name || user.name || '（未知姓名）'}（${identityKey(user)}）`;
      const held = gone.before.role ? `${ROLE_LABELS[gone.before.role]}${gone.before.unitName ? `｜${gone.before.unitName}` : ''}` : '联络员';
      const leaders = new Map(((await latestRead())?.departments ?? []).map((d) => [d.id, d.leaderId]));
      const lines = [`${who} 已从飞书通讯录离职，已撤销其角色（${held}）。`];
      const orphaned: UnitView[] = [];
      for (const unitId of gone.unitIds) {
        const unit = await units.get(unitId);
        if (unit && unit.contacts.length === 0) orphaned.push(unit);
      }
      if (orphaned.length) lines.push(`**以下单位已没有联络员**，待办和提醒将无人接收：`);
      for (const unit of orphaned) {
        const leaderId = unit.larkDepartmentId ? leaders.get(unit.larkDepartmentId) : undefined;
        const leader = leaderId && leaderId !== user.userId ? { platform: PLATFORM, userId: leaderId } : null;
        const leaderName = leader ? await people.nameOf(leader) : null;
        lines.push(
          leader
            ? `· ${unit.name}：请联系部门负责人 ${leaderName ? `${leaderName}（${identityKey(leader)}）` : identityKey(leader)} 指定新联络员，再发送「授权 @某人 角色=联络员 单位=${unit.name}」`
            : `· ${unit.name}：请与该单位确定新联络员，再发送「授权 @某人 角色=联络员 单位=${unit.name}」`,
        );
      }
      const admins = (await people.listWithRoles()).filter((p) => p.role === 'admin').map((p) => p.id);
      await notify.people(admins, card({ title: '人员离职：已撤销授权', tone: orphaned.length ? 'warning' : 'info', lines }), `person-left:${identityKey(user)}`);
      return true;
    },
  };
}

export type OrgSyncService = ReturnType<typeof createOrgSyncService>;
