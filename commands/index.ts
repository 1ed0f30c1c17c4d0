import { adminCommands } from './admin';
import { calendarCommands } from './calendar';
import { documentCommands } from './documents';
import { helpCommands } from './help';
import { proposalCommands } from './proposals';
import { scopeCommands } from './scopes';
import { statsCommands } from './stats';
import { supervisionCommands } from './supervision';
import { unitSyncCommands } from './unit-sync';
import type { AnyCommand } from './kit/define';

export const allCommands: readonly AnyCommand[] = [...helpCommands, ...documentCommands, ...proposalCommands, ...supervisionCommands, ...statsCommands, ...adminCommands, ...unitSyncCommands, ...scopeCommands, ...calendarCommands];
