export type Role = 'contact' | 'staff' | 'leader' | 'admin';

export const ROLE_LABELS: Record<Role, string> = { contact: '联络员', staff: '员工', leader: '领导', admin: '管理员' };

export function roleFromLabel(label: string): Role | undefined {
  return (Object.keys(ROLE_LABELS) as Role[]).find((r) => ROLE_LABELS[r] === label || r === label);
}

/** Who is acting, and from where: every write is audited under it. */
export interface Actor {
  personId: number | null;
  /** platform:userId, or system:<what> for the scheduler, CLI and start-up */
  identity: string;
  name: string;
  role: Role | null;
  /** the unit a contact acts for */
  unitId: number | null;
  /** platform:chatId the request came from */
  chat: string | null;
}

export function systemActor(what: string): Actor {
  return { personId: null, identity: `system:${what}`, name: what, role: 'admin', unitId: null, chat: null };
}

/** The unit a contact's reads and writes are narrowed to; null for everyone else. */
export function unitScope(actor: Actor): number | null {
  return actor.role === 'contact' ? actor.unitId : null;
}
