// Flood protection: past the limit within one clock minute a sender (or a chat) gets one polite
// refusal, then silence until the minute is over. Counted per process, in memory: it guards the
// bot's attention, not its data, and a restart may well forget it.

export interface FloodLimits {
  perPerson: number;
  perChat: number;
}

export type FloodVerdict = 'ok' | 'warn' | 'drop';

export function createFloodGuard(limits: FloodLimits = { perPerson: 30, perChat: 120 }) {
  const windows = new Map<string, { minute: number; count: number; warned: boolean }>();

  function count(key: string, limit: number, minute: number): FloodVerdict {
    let w = windows.get(key);
    if (!w || w.minute !== minute) {
      w = { minute, count: 0, warned: false };
      windows.set(key, w);
    }
    w.count++;
    if (w.count <= limit) return 'ok';
    if (w.warned) return 'drop';
    w.warned = true;
    return 'warn';
  }

  return {
    check(person: string, chat: string, at: number): FloodVerdict {
      const minute = Math.floor(at / 60_000);
      if (windows.size > 10_000) for (const [k, w] of windows) if (w.minute !== minute) windows.delete(k);
      const verdicts = [count(`p:${person}`, limits.perPerson, minute), count(`c:${chat}`, limits.perChat, minute)];
      return verdicts.includes('drop') ? 'drop' : verdicts.includes('warn') ? 'warn' : 'ok';
    },
  };
}
