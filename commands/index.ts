import { adminCommands } from './admin';
import { documentCommands } from './documents';
import { helpCommands } from './help';
import type { AnyCommand } from './kit/define';

export const allCommands: readonly AnyCommand[] = [...helpCommands, ...documentCommands, ...adminCommands];
