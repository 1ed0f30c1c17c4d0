// The commands the core figures time, as a person would type them: 收文登记 with 文号 no corpus
// document has, and 公文查询 by keyword. Shared by core-bot.ts (SQLite) and postgres-bot.ts (either
// dialect), so the two sections time the same messages.
import { timeAll, type Harness } from './bot-harness';
import { randomSource, randomTitle, randomUrgency, seededRandom } from './corpus';

export const REGISTRATIONS = 2_000;
export const REGISTRATION_WARMUP = 200;
export const SELECTIVE_SEARCHES = 500;
export const COMMON_SEARCHES = 200;
const REGISTERED = /已登记收文：SW-2026-\d+/;
const HIT_LIST = /共 \d+ 件(以上)?，显示前 10 件】\nSW-/;

/** 文号 numbers above any the corpus issued, distinct per run, so no registration is refused as a repeat. */
function registrationTexts(run: number, count: number): string[] {
  const random = seededRandom(1000 + run);
  return Array.from({ length: count }, (_, i) => {
    const source = randomSource(random);
    const docNumber = `${source.prefix}〔2026〕${100_000 * (run + 1) + i}号`;
    return `收文登记 标题=${randomTitle(random, 2026)} 来文单位=${source.unit} 文号=${docNumber} 紧急程度=${randomUrgency(random)}`;
  });
}

function searchTexts(keywords: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => `公文查询 ${keywords[i % keywords.length]}`);
}

/** REGISTRATIONS timed after REGISTRATION_WARMUP untimed; `run` keeps each bot process's 文号 apart. */
export async function measureRegistrations(h: Harness, run: number): Promise<number[]> {
  const texts = registrationTexts(run, REGISTRATION_WARMUP + REGISTRATIONS);
  await timeAll(h, texts.slice(0, REGISTRATION_WARMUP), REGISTERED, '收文登记 warm-up');
  return timeAll(h, texts.slice(REGISTRATION_WARMUP), REGISTERED, '收文登记');
}

/** One untimed query per keyword first, to warm the caches; then `count`, cycling through the keywords. */
export async function measureSearches(h: Harness, keywords: readonly string[], count: number): Promise<number[]> {
  await timeAll(h, searchTexts(keywords, keywords.length), HIT_LIST, '公文查询 warm-up');
  return timeAll(h, searchTexts(keywords, count), HIT_LIST, '公文查询');
}
