// Measuring in a process of its own: a section builds its database, then forks a fresh process
// that opens it as the bot would and sends its rows back over IPC, so that the figures (RSS
// above all) are those of a bot at work, not of the bulk loader that came before. The process
// runs the measuring script bundled the way `npm run build` bundles the bot, under plain node
// as `npm start` runs it: a TypeScript loader would add its own hundred-odd megabytes and its
// compile time to the bot's figures.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../scripts/bundle';
import type { Row } from './report';

const BUNDLES = fileURLToPath(new URL('../../dist/bench/', import.meta.url));
const built = new Map<string, { file: Promise<string>; ready: boolean }>();

function bundled(script: URL): Promise<string> {
  const name = basename(fileURLToPath(script), '.ts');
  const outdir = join(BUNDLES, name);
  const file = join(outdir, `${name}.mjs`);
  const known = built.get(name);
  // bundled again if it has gone since: `npm run build` (a test run beside the benchmark does one)
  // empties dist/, and a section may fork its last process many minutes after its first
  if (!known || (known.ready && !existsSync(file))) {
    const entry: { file: Promise<string>; ready: boolean } = { file: bundle({ [name]: fileURLToPath(script) }, outdir).then(() => file), ready: false };
    void entry.file.then(() => (entry.ready = true), () => undefined);
    built.set(name, entry);
  }
  return built.get(name)!.file;
}

/**
 * node's options as `npm start` gives them; BENCH_NODE_ARGS adds more, e.g. `--cpu-prof` to see
 * where the time goes. Read when forking, not on import: the measuring scripts import this
 * module too, bundled into dist/, where package.json is not beside them.
 */
function nodeArgs(): string[] {
  const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
  return [...start.split(' ').filter((word) => word.startsWith('--')), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
}

/** Starts a measuring script (a sibling module) bundled, in a process of its own, with an IPC channel. */
export async function forkBundled(script: URL, args: string[]): Promise<ChildProcess> {
  return fork(await bundled(script), args, { execArgv: nodeArgs() });
}

/** Runs a measuring script (a sibling module calling replyWithRows) and resolves with its rows. */
export async function measureInChild(script: URL, args: string[]): Promise<Row[]> {
  const child = await forkBundled(script, args);
  return new Promise((resolve, reject) => {
    let rows: Row[] | null = null;
    child.on('message', (message) => (rows = message as Row[]));
    child.on('error', reject);
    child.on('exit', (code) => (rows && code === 0 ? resolve(rows) : reject(new Error(`${script.pathname} exited with code ${code}`))));
  });
}

/** The measuring process's side: run, send the rows, and let the process end. */
export function replyWithRows(main: () => Promise<Row[]>): void {
  main().then(
    (rows) => process.send!(rows, () => process.disconnect()),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
