// Resident set size, sampled on a timer so short peaks between the explicit readings are seen.
// The timer only fires when the measured code yields to the event loop; callers do, between steps.

export function rssMb(): number {
  return process.memoryUsage().rss / 1_048_576;
}

export function startRssSampler(intervalMs = 100): { peak(): number; stop(): void } {
  let peak = rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb())), intervalMs);
  return {
    peak: () => (peak = Math.max(peak, rssMb())),
    stop: () => clearInterval(timer),
  };
}

export { peakRssMb } from '../../src/lib/peak-rss';
