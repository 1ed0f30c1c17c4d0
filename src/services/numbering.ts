// Registration numbers: SW-2026-0001. Short enough to type on a phone, and read back forgivingly.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';

export type NumberKind = 'SW' | 'FW' | 'DB' | 'JY' | 'TA';

const WIDTH: Record<NumberKind, number> = { SW: 4, FW: 4, DB: 4, JY: 3, TA: 3 };

export function formatRegNo(kind: NumberKind, year: number, seq: number): string {
  return `${kind}-${year}-${String(seq).padStart(WIDTH[kind], '0')}`;
}

/** `sw20260001`, `SW-2026-1`, `sw 2026 0001` → `SW-2026-0001`; null when it is not a registration number. */
export function parseRegNo(text: string, kinds: readonly NumberKind[]): { kind: NumberKind; year: number; seq: number; regNo: string } | null {
  const m = /^([a-z]{2})[-\s_－—]*(\d{4})[-\s_－—]*(\d{1,7})$/i.exec(text.trim());
  if (!m) return null;
  const kind = m[1]!.toUpperCase() as NumberKind;
  if (!kinds.includes(kind)) return null;
  const year = Number(m[2]);
  const seq = Number(m[3]);
  if (seq < 1) return null;
  return { kind, year, seq, regNo: formatRegNo(kind, year, seq) };
}

export function createNumbering(db: Db) {
  return {
    /**
     * Must run inside the registering transaction: a rollback returns the number, and the
     * counter's row stays locked until commit, so processes sharing the database neither hand
     * out a number twice nor skip one.
     */
    async next(kind: NumberKind, year: number): Promise<{ seq: number; regNo: string }> {
      const [row] = await db.all<{ last: number }>(
        sql`INSERT INTO counters (kind, year, last) VALUES (${kind}, ${year}, 1)
            ON CONFLICT (kind, year) DO UPDATE SET last = counters.last + 1 RETURNING last`,
      );
      const seq = row!.last;
      return { seq, regNo: formatRegNo(kind, year, seq) };
    },
  };
}

export type Numbering = ReturnType<typeof createNumbering>;
