// Where a command may run: private chats follow the sender's role; a group chat only for the
// groups an admin enabled there, and a group chat with none enabled is closed.
import type { Group } from '../../commands/kit/define';
import type { ChatGroup } from '../services/chats';

export type ScopeVerdict = { kind: 'open' } | { kind: 'closed' } | { kind: 'group-off'; group: ChatGroup };

/** `group` null: no command matched. In a closed chat only an admin's 管理 commands run. */
export function scopeVerdict(chatType: 'p2p' | 'group', enabled: readonly ChatGroup[], group: Group | null, admin: boolean): ScopeVerdict {
  if (chatType === 'p2p') return { kind: 'open' };
  if (enabled.length === 0) return admin && group === '管理' ? { kind: 'open' } : { kind: 'closed' };
  if (group === '管理') return { kind: 'open' };
  if (group === null || group === '通用' || enabled.includes(group)) return { kind: 'open' };
  return { kind: 'group-off', group };
}
