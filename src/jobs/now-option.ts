// `--now ISO-8601` of the command-line tools: the instant they act as of, for a rehearsal of a
// given day (and for tests, which never depend on the machine's date).

export const NOW_EXAMPLE = '2026-12-01T09:00:00+08:00';

/** The instant named by --now, the machine's time when it is absent, or an error to print. */
export function instantOption(value: string | undefined): { at: number } | { error: string } {
  if (value === undefined) return { at: Date.now() };
  // only a full instant with its offset: a bare date would be read as UTC midnight, eight hours off
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? { error: `--now expects an ISO-8601 instant such as ${NOW_EXAMPLE} (got ${value})` } : { at };
}
