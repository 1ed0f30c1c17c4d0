// The webhooks section's attacker, in a process of its own (see webhooks.ts): rounds of
// CONCURRENT unauthenticated 1 MiB bodies of nested arrays, all at once, until the time is up.
//   argv: <server base URL> <seconds>
// Sends back { rounds, statuses, bodyBytes } and ends.
import { dingtalkSign } from '../../src/platforms/dingtalk/crypto';

export const CONCURRENT = 8;
export const DINGTALK_SECRET = 'bench-dingtalk-secret';
// just under the server's 1 MiB body limit, so the bodies are read, not refused on their length
const BODY = Buffer.from(`${'['.repeat(524_000)}${']'.repeat(524_000)}`);

export interface Attacked {
  rounds: number;
  /** [HTTP status, how many]; 0 when the server answered before reading and the connection was reset */
  statuses: [number, number][];
  bodyBytes: number;
}

const json = { 'content-type': 'application/json' };
const dingtalk = (secret: string) => () => {
  const timestamp = String(Date.now());
  return { ...json, timestamp, sign: dingtalkSign(timestamp, secret) };
};
const KINDS: { path: string; headers: () => Record<string, string> }[] = [
  { path: '/webhook/lark/event', headers: () => json },
  { path: '/webhook/lark/card', headers: () => json },
  { path: '/webhook/lark/event', headers: () => ({ ...json, 'x-lark-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-lark-request-nonce': 'n', 'x-lark-signature': 'f'.repeat(64) }) },
  { path: '/webhook/dingtalk', headers: dingtalk('guessed-secret') },
  // a captured signature, good for an hour, carrying a new body
  { path: '/webhook/dingtalk', headers: dingtalk(DINGTALK_SECRET) },
];

async function main(base: string, seconds: number): Promise<Attacked> {
  const statuses = new Map<number, number>();
  const end = performance.now() + seconds * 1000;
  let rounds = 0;
  for (let n = 0; performance.now() < end; rounds++) {
    await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        const kind = KINDS[n++ % KINDS.length]!;
        const status = await fetch(base + kind.path, { method: 'POST', body: BODY, headers: kind.headers() }).then(
          async (res) => (await res.arrayBuffer(), res.status),
          () => 0,
        );
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
    );
  }
  return { rounds, statuses: [...statuses], bodyBytes: BODY.length };
}

if (process.send) {
  const [base, seconds] = process.argv.slice(2);
  main(base!, Number(seconds)).then(
    (answer) => process.send!(answer, () => process.disconnect()),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
