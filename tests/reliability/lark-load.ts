// Shared by the load and crash tests: Feishu events as Lark sends them, at a steady rate.
import { messageEvent, signedRequest } from '../fixtures/lark';

export const KEY = 'reliability-encrypt-key';
export const SENDERS = 100;

/** Event i: sender i mod 100 registers a document with a 文号 of its own. */
export function registration(i: number) {
  const sender = `ou_s${i % SENDERS}`;
  return signedRequest(KEY, messageEvent({ eventId: `ev_${i}`, messageId: `om_${i}`, openId: sender, chatId: `oc_${sender}`, text: `收文登记 标题=压力测试第${i}件 来文单位=测试单位 文号=测〔2026〕${i}号` }));
}

export interface Sent {
  i: number;
  ok: boolean;
  ms: number;
}

/**
 * Posts `count` events, one every 1000/rate ms, re-posting a tenth of them a moment later as
 * Lark's redeliveries do, until `stop` says so; `onSent(i)` follows the i-th. Resolves when every
 * request has an answer or an error.
 */
export async function postAtRate(url: string, count: number, rate: number, stop: () => boolean = () => false, onSent: (i: number) => void = () => {}): Promise<Sent[]> {
  const results: Promise<Sent>[] = [];
  const send = (i: number): Promise<Sent> => {
    const body = registration(i);
    const started = performance.now();
    return fetch(url, { method: 'POST', ...body })
      .then((res) => ({ i, ok: res.status === 200, ms: performance.now() - started }))
      .catch(() => ({ i, ok: false, ms: performance.now() - started }));
  };
  for (let i = 1; i <= count && !stop(); i++) {
    results.push(send(i));
    if (i % 10 === 0) results.push(send(i - 5));
    onSent(i);
    await new Promise((r) => setTimeout(r, 1000 / rate));
  }
  return Promise.all(results);
}

export function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}
