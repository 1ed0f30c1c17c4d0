import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN, currentBlock, END, README, readLatest, renderBlock, withBlock, type Latest } from '../bench/readme-table';

describe("the README's benchmark table", () => {
  // the figures a reader sees are the ones committed in latest.json, not a hand copy that drifts
  it('is what tests/bench/readme-table.ts renders from the committed results', () => {
    expect(currentBlock(readFileSync(README, 'utf8'))).toBe(renderBlock(readLatest()));
  });

  const latest: Latest = {
    at: '2026-01-02T03:04:05.000Z',
    machine: { node: 'v20.0.0', platform: 'linux', cpu: 'Some CPU', cores: 2 },
    code: { commit: 'abc1234', uncommittedFiles: 0 },
    sections: [
      {
        name: 'demo',
        rows: [
          { figure: 'shown: has a target | and a pipe', measured: 3, unit: 'ms', target: 5, ok: true },
          { figure: 'shown: has a baseline', measured: 2, unit: 's', baseline: 1 },
          { figure: 'left to latest.json: context only', measured: 7, unit: 'MB' },
        ],
        notes: ['baseline: the floor'],
      },
    ],
  };

  it('shows when and where the figures were taken, the figures with a target or a baseline, and the notes', () => {
    const block = renderBlock(latest);
    expect(block).toContain('Run of 2026-01-02 03:04 UTC: Some CPU, 2 cores, linux, Node v20.0.0, code at commit abc1234; sections demo.');
    expect(block).toContain('| demo | shown: has a target \\| and a pipe | ≤ 5 ms | 3 ms |  | PASS |');
    expect(block).toContain('| demo | shown: has a baseline |  | 2 s | 1 s |  |');
    expect(block).not.toContain('context only');
    expect(block).toContain('- baseline: the floor');
  });

  it('replaces only what lies between the markers', () => {
    const readme = `before\n${BEGIN}\nold table\n${END}\nafter\n`;
    const rewritten = withBlock(readme, renderBlock(latest));
    expect(rewritten.startsWith(`before\n${BEGIN}\n`)).toBe(true);
    expect(rewritten.endsWith(`\n${END}\nafter\n`)).toBe(true);
    expect(currentBlock(rewritten)).toBe(renderBlock(latest));
    expect(() => withBlock('no markers', 'x')).toThrow(/needs one/);
  });
});
