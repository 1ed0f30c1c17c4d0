/** A sleep that another part of the process can cut short: a worker naps until new work is kicked in. */
export function createSleeper() {
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  return {
    sleep(ms: number): Promise<void> {
      return new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
      }).finally(() => {
        wake = null;
      });
    },
    wake(): void {
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
