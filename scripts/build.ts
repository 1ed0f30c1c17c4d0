// `npm run build` (run by `npm start` first): the bot bundled into dist/, run there by plain node.
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle';

await bundle({ main: 'src/main.ts' }, fileURLToPath(new URL('../dist', import.meta.url)));
