// Issue 16's console figures: a page of the 公文台账 over a year of 100,000 收文 p99 ≤ 50 ms, and
// /healthz p99 ≤ 50 ms while 4 ledger views run at once (CONSOLE_LEDGER_ROWS sets the year's
// size). The database is build-db.ts's corpus, made large enough that the bench's year holds that
// many; the bot serves it over HTTP in a process of its own (console-bot.ts) and is driven from
// here, so the client's work is not the server's.
import { join } from 'node:path';
import { buildDatabase } from './build-db';
import { forkBundled } from './child';
import { count, envCount, inScratchDir, progress } from './cli';
import { BENCH_TODAY, DAY_MS } from './corpus';
import { PAGE_SIZE } from '../../src/web/pages';
import { percentiles, row, type SectionResult, type Section } from './report';

export const FLOOR_SAMPLES = 300;
export type ToBot = { floor: number } | 'stop';
/** A sheet's heading total and its rows' cells as text, in order. */
export interface SheetAnswer {
  total: number;
  rows: string[][];
}
export type FromBot = { port: number; cookie: string } | { samples: number[]; answer: SheetAnswer[] };

const YEAR = Number(BENCH_TODAY.slice(0, 4));
const SAMPLES = 300;
const WARMUP = 20;
const CONCURRENT_VIEWS = 4;
/** build-db.ts spreads its documents evenly over these days: 2020-01-01 to the bench's yesterday. */
const CORPUS_DAYS = (Date.parse(BENCH_TODAY) - Date.UTC(2020, 0, 1)) / DAY_MS;
const YEAR_DAYS = (Date.parse(BENCH_TODAY) - Date.UTC(YEAR, 0, 1)) / DAY_MS;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

/** Each sheet of a ledger page as the page shows it: the heading's total and the table's cells. */
function shownSheets(page: string): SheetAnswer[] {
  return page
    .split('<h2>')
    .slice(1)
    .map((sheet) => ({
      total: Number(/（共 (\d+) 条）/.exec(sheet)![1]),
      rows: [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(sheet)![1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g))].map((r) =>
        [...r[1]!.matchAll(/<td>(?:<a [^>]*>)?([\s\S]*?)(?:<\/a>)?<\/td>/g)].map((c) => unescape(c[1]!)),
      ),
    }));
}

function ask(child: Awaited<ReturnType<typeof forkBundled>>, message?: ToBot): Promise<FromBot> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`console-bot.ts exited with code ${code}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as FromBot);
    });
    if (message !== undefined) child.send(message);
  });
}

async function run(): Promise<SectionResult> {
  const inYear = envCount('CONSOLE_LEDGER_ROWS', 100_000);
  const documents = Math.ceil((inYear * CORPUS_DAYS) / YEAR_DAYS);
  return inScratchDir(async (dir) => {
    const path = join(dir, 'bot.db');
    const started = performance.now();
    await buildDatabase(path, documents, (done) => progress(`building: ${count(done)} of ${count(documents)} documents`));
    const seconds = (performance.now() - started) / 1000;
    progress(`built ${count(documents)} documents in ${seconds.toFixed(1)} s\n`);

    process.stderr.write('  measuring: the console in a bot process\n');
    const child = await forkBundled(new URL('./console-bot.ts', import.meta.url), [path]);
    try {
      const { port, cookie } = (await ask(child)) as { port: number; cookie: string };
      const base = `http://127.0.0.1:${port}`;
      const get = async (path: string, headers: Record<string, string> = { cookie }) => {
        const t0 = performance.now();
        const res = await fetch(base + path, { headers });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
        return { ms: performance.now() - t0, body };
      };
      const ledger = (query = '') => `/console/ledgers/${encodeURIComponent('公文')}?year=${YEAR}${query}`;
      const timed = async (path: string, n: number, headers?: Record<string, string>) => {
        for (let i = 0; i < WARMUP; i++) await get(path, headers);
        const samples: number[] = [];
        let body = '';
        for (let i = 0; i < n; i++) {
          const r = await get(path, headers);
          samples.push(r.ms);
          body = r.body;
        }
        return { timings: percentiles(samples), body };
      };

      const page = await timed(ledger(), SAMPLES);
      const search = await timed(ledger('&q=' + encodeURIComponent('防汛')), 50);
      const sorted = await timed(ledger('&sort=6&desc=1'), 50);
      const deep = await timed(ledger(`&page=${Math.ceil(inYear / PAGE_SIZE)}`), 50);
      const healthzAlone = await timed('/healthz', SAMPLES, {});

      // four views one after another without pause, each on its own connection, while /healthz is timed
      let running = true;
      let views = 0;
      const viewers = Array.from({ length: CONCURRENT_VIEWS }, async (_, i) => {
        while (running) {
          await get(ledger(`&page=${i + 1}`));
          views++;
        }
      });
      const healthz: number[] = [];
      const busyFrom = performance.now();
      for (let i = 0; i < SAMPLES; i++) healthz.push((await get('/healthz', {})).ms);
      const busySeconds = (performance.now() - busyFrom) / 1000;
      running = false;
      await Promise.all(viewers);
      const busy = percentiles(healthz);

      const floor = (await ask(child, { floor: YEAR })) as { samples: number[]; answer: SheetAnswer[] };
      const shown = shownSheets(page.body);
      if (JSON.stringify(shown) !== JSON.stringify(floor.answer)) {
        throw new Error(`the ledger page shows ${JSON.stringify(shown).slice(0, 400)}…; the floor finds ${JSON.stringify(floor.answer).slice(0, 400)}…`);
      }
      const bare = percentiles(floor.samples);
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
      return {
        name: 'console',
        rows: [
          row(`build ${count(documents)} documents`, seconds, 's'),
          row(`公文台账 ${YEAR}, first page, p50`, page.timings.p50, 'ms', { baseline: bare.p50 }),
          row(`公文台账 ${YEAR}, first page, p99`, page.timings.p99, 'ms', { target: 50, baseline: bare.p99 }),
          row(`公文台账 ${YEAR}, first page, max`, page.timings.max, 'ms'),
          row(`/healthz p99 while ${CONCURRENT_VIEWS} ledger views run at once`, busy.p99, 'ms', { target: 50, baseline: healthzAlone.timings.p99 }),
          row(`/healthz max while ${CONCURRENT_VIEWS} ledger views run at once`, busy.max, 'ms'),
          row('ledger views served meanwhile', views / busySeconds, 'views/s'),
          row(`公文台账 searched for 防汛 p99`, search.timings.p99, 'ms'),
          row(`公文台账 sorted by 办理时限, descending, p99`, sorted.timings.p99, 'ms'),
          row(`公文台账, last page, p99`, deep.timings.p99, 'ms'),
          row(`收文 in ${YEAR} (the page's total)`, shown[0]!.total, 'rows'),
        ],
        notes: [
          `${count(documents)} 收文 (build-db.ts) dated evenly 2020-01-01 → the day before ${BENCH_TODAY}, so that ${YEAR} holds ${count(shown[0]!.total)}; no 发文`,
          `timed here, in the benchmark's process, from sending the GET to the last byte of the page (fetch over loopback keep-alive), against the bot serving HTTP in a fresh process as npm start runs it; ${SAMPLES} requests after ${WARMUP} untimed, the search, the sort and the last page 50 each`,
          `/healthz: ${SAMPLES} requests one after another while ${CONCURRENT_VIEWS} clients each ask for a ledger page (pages 1–${CONCURRENT_VIEWS}) again as soon as the last arrives; its baseline is /healthz with nothing else running`,
          `baseline for the page (the floor): the least SQL giving the same page, timed ${FLOOR_SAMPLES} times in the bot's process: for 收文 and 发文 each, count(*) on the (direction, year, seq) index and the first ${PAGE_SIZE} rows in registration order with only the columns shown (the unit's name joined); the page's totals and every cell of its rows are checked to be the floor's`,
        ],
      };
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
}

export const consoleLedgers: Section = { name: 'console', run };
