// the rights table (README: who may use what), and the only place it is enforced.
import type { Right } from '../../commands/kit/define';
import type { Role } from '../services/actor';

const HOLDERS: Record<Right, readonly Role[]> = {
  everyone: ['contact', 'staff', 'leader', 'admin'],
  read: ['contact', 'staff', 'leader', 'admin'],
  register: ['staff', 'admin'],
  handle: ['contact', 'staff', 'admin'],
  supervise: ['staff', 'leader', 'admin'],
  approve: ['leader', 'admin'],
  export: ['staff', 'leader', 'admin'],
  console: ['leader', 'admin'],
  admin: ['admin'],
};

export function may(role: Role | null, right: Right): boolean {
  return right === 'everyone' || (role !== null && HOLDERS[right].includes(role));
}
