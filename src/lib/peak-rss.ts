// The most memory this process has held resident, as the kernel counts it (so peaks inside
// synchronous work are seen too). Not getrusage's maxRSS: a child process starts as a copy of
// its parent and that figure survives the exec, so a child of a large process reports the
// parent's size. Linux keeps the program's own high-water mark as VmHWM.
import { readFileSync } from 'node:fs';

export function peakRssMb(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // not Linux: the rusage figure, which is right for a process that was not forked from a larger one
  }
  return process.resourceUsage().maxRSS / 1024;
}
