import { expect, it } from 'vitest';
import { renderDingtalk } from '../../src/platforms/dingtalk/render';

it('tells where a ledger can be had without showing where it lies on the server', () => {
  const path = '/srv/zwbot/data/exports/督办台账-2026-1.xlsx';
  const { text } = renderDingtalk({ file: { path, name: '督办台账-2026-1.xlsx', caption: '2026年督办台账（100 行）' } });
  expect(text).toContain('2026年督办台账（100 行）');
  expect(text).toContain('管理后台');
  expect(text).not.toContain('/srv');
  expect(text).not.toContain('exports');
});
