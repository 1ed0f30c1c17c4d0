// A webhook body read as JSON only after what is cheap has been checked: both messengers' receivers
// use it once their headers and raw bytes have said what they can.

// Messengers send UTF-8; anything else is not theirs, and must not reach storage with its bytes replaced
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Deeper than any event Lark or DingTalk sends; a body of nested brackets is refused before JSON.parse sees it. */
export const MAX_NESTING = 64;

/** Whether the JSON text opens more than `max` arrays or objects inside each other (a byte scan, strings skipped). */
export function nestingDeeperThan(raw: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * A webhook body as a JSON object, for the receivers to call once the headers and raw bytes have
 * said all they can: parsing is the costly step, so nesting is bounded by a byte scan first.
 */
export function webhookJson(raw: Buffer): { ok: true; value: object } | { ok: false; reason: string } {
  if (nestingDeeperThan(raw, MAX_NESTING)) return { ok: false, reason: 'body nested too deeply' };
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(raw));
  } catch {
    return { ok: false, reason: 'body is not UTF-8 JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'body is not a JSON object' };
  return { ok: true, value };
}
