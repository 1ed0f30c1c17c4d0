// The server under load, in a process of its own (lark-server.ts, bundled as `npm start` runs
// the bot), and how the benchmark talks to it.
import { existsSync } from 'node:fs';
import { isPostgresUrl } from '../../db/client';
import type { startFakeLark } from '../fixtures/fake-lark';
import { closeBulk, insertPeople, openBulk, sqliteOf } from './bulk';
import { insertPeoplePg, openPgBulk } from './bulk-pg';
import { forkBundled } from './child';
import { ENCRYPT_KEY, staffSeeds } from './lark-events';
import type { FromServer, Stopped, ToServer } from './lark-server';

export type FakeLark = Awaited<ReturnType<typeof startFakeLark>>;

export const WEBHOOK = '/webhook/lark/event';
const DRAIN_TIMEOUT_MS = 300_000;

export interface Server {
  url(path: string): string;
  /** RSS once it was listening, before any load */
  rssReadyMb: number;
  ask(message: ToServer): Promise<FromServer>;
  stop(): Promise<Stopped>;
  /** SIGKILL, as a crash would; resolves once the process is gone */
  kill(): Promise<void>;
}

export async function startServer(args: string[]): Promise<Server> {
  const child = await forkBundled(new URL('./lark-server.ts', import.meta.url), args);
  // the server answers one question at a time, in order
  let waiting: { resolve: (m: FromServer) => void; reject: (e: Error) => void } | null = null;
  const next = () => new Promise<FromServer>((resolve, reject) => (waiting = { resolve, reject }));
  child.on('message', (m: FromServer) => waiting?.resolve(m));
  child.on('exit', (code) => code !== 0 && waiting?.reject(new Error(`server process exited with code ${code}`)));
  const ask = (message: ToServer) => {
    const answer = next();
    child.send(message);
    return answer;
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return next().then((m) => {
    const { port, rssMb } = m as { port: number; rssMb: number };
    return {
      url: (path: string) => `http://127.0.0.1:${port}${path}`,
      rssReadyMb: rssMb,
      ask,
      async stop() {
        const figures = (await ask('stop')) as Stopped;
        // it exits by itself once it has answered; a server that hangs on must not outlive the section
        const timer = setTimeout(() => child.kill(), 5000);
        await exited;
        clearTimeout(timer);
        return figures;
      },
      async kill() {
        child.kill('SIGKILL');
        await exited;
      },
    };
  });
}

/**
 * The environment that points the bot at a database with the staff who send the events: a fresh
 * one is seeded, one that has them is taken as it is (a restart, or another instance's). On
 * PostgreSQL DATABASE_PATH only places the exports folder, which these events never write to.
 */
async function seededDatabase(location: string): Promise<Record<string, string>> {
  if (isPostgresUrl(location)) {
    await seedPgStaff(location);
    return { DATABASE_URL: location };
  }
  if (!existsSync(location)) {
    const db = await openBulk(location);
    insertPeople(sqliteOf(db), staffSeeds());
    await closeBulk(db);
  }
  return { DATABASE_PATH: location };
}

async function seedPgStaff(url: string): Promise<void> {
  const bulk = await openPgBulk(url);
  try {
    const { rows } = await bulk.client.query<{ n: number }>("SELECT count(*)::int AS n FROM identities WHERE platform = 'lark'");
    if (rows[0]!.n === 0) await insertPeoplePg(bulk.client, staffSeeds());
  } finally {
    await bulk.close();
  }
}

/** The bot serving Feishu on `location`: an SQLite file, or a postgres:// URL. */
export async function startBotServer(fake: FakeLark, location: string): Promise<Server> {
  const env = {
    ...(await seededDatabase(location)),
    LOG_LEVEL: 'silent',
    ADMIN_IDS: 'lark:ou_admin',
    LARK_APP_ID: 'cli_bench',
    LARK_APP_SECRET: 'bench-app-secret',
    LARK_ENCRYPT_KEY: ENCRYPT_KEY,
    LARK_DOMAIN: fake.url,
  };
  return startServer(['bot', JSON.stringify(env)]);
}

export /** Polls until the server's inbox is empty; how long that took. */
async function drained(server: Server): Promise<number> {
  const started = performance.now();
  while (((await server.ask('pending')) as { pending: number }).pending > 0) {
    if (performance.now() - started > DRAIN_TIMEOUT_MS) throw new Error('the inbox did not drain within 5 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - started;
}

