import { adminCommands } from './admin';
import { documentCommands } from './documents';
import { helpCommands } from './help';
import { scopeCommands } from './scopes';
import type { AnyCommand } from './kit/define';

export const allCommands: readonly AnyCommand[] = [...helpCommands, ...documentCommands, ...adminCommands, ...scopeCommands];
