import { adminCommands } from './admin';
import { documentCommands } from './documents';
import { helpCommands } from './help';
import { scopeCommands } from './scopes';
import { supervisionCommands } from './supervision';
import type { AnyCommand } from './kit/define';

export const allCommands: readonly AnyCommand[] = [...helpCommands, ...documentCommands, ...supervisionCommands, ...adminCommands, ...scopeCommands];
