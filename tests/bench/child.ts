// Measuring in a process of its own: a section builds its database, then forks a fresh process
// that opens it as the bot would and sends its rows back over IPC, so that the figures (RSS
// above all) are those of a bot at work, not of the bulk loader that came before.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Row } from './report';

/** Runs a measuring script (a sibling module calling replyWithRows) and resolves with its rows. */
export function measureInChild(script: URL, args: string[]): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    let rows: Row[] | null = null;
    const child = fork(fileURLToPath(script), args, { execArgv: process.execArgv });
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
