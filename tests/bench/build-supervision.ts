// A bot database holding N 督办 items as years of use would leave them, written in bulk: items
// started evenly from 2020 to the bench's yesterday, each with a lead unit and up to two
// co-units; 10% still open past their deadline, 15% open and not yet due, the rest closed.
// Every unit has a contact; a few leaders instruct. Deterministic, like the rest of the corpus.
import { closeBulk, contactSeeds, insertPeople, insertUnits, openBulk, sqliteOf } from './bulk';
import { between, closedState, insertSupervision, openState, YESTERDAY, type ItemState } from './bulk-supervision';
import { BENCH_TODAY, DAY_MS, HANDLING_UNITS, randomPersonName, seededRandom } from './corpus';

export const OVERDUE_SHARE = 0.1;
const OPEN_SHARE = 0.15;
const TODAY = Date.parse(BENCH_TODAY);

/** The contact of the first unit, whose overdue list a contact's 督办逾期 shows. */
export const CONTACT = { platform: 'console', userId: 'contact-1-1' };

/** Where an item stands today: overdue and open, open and not yet due, or closed. */
function state(random: () => number, start: number): ItemState {
  const r = random();
  if (r < OVERDUE_SHARE) return openState(random, start, Math.min(start + between(random, 10, 90) * DAY_MS, YESTERDAY));
  if (r < OVERDUE_SHARE + OPEN_SHARE) return openState(random, start, TODAY + between(random, 0, 180) * DAY_MS);
  return closedState(random, start + between(random, 10, 90) * DAY_MS, Math.min(start + between(random, 5, 100) * DAY_MS, YESTERDAY));
}

export async function buildSupervision(path: string, total: number, onBatch: (done: number) => void): Promise<void> {
  const db = await openBulk(path);
  const sqlite = sqliteOf(db);
  const random = seededRandom(20261125);
  insertPeople(sqlite, contactSeeds(insertUnits(sqlite, HANDLING_UNITS), 1, 'console', () => randomPersonName(random)));
  await insertSupervision(sqlite, { total, fromDay: Date.UTC(2020, 0, 1), seed: 20261126, leaderPrefix: 'leader', state, year: new Date(TODAY).getUTCFullYear(), onBatch });
  await closeBulk(db);
}
