// Runs async jobs with at most `limit` in flight: the scanner uses it to keep many lstat calls
// queued in libuv's thread pool without opening thousands of requests at once.

export type Limiter = <T>(job: () => Promise<T>) => Promise<T>;

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let active = 0;
  // A FIFO with a moving head: Array#shift copies the whole array once it is large (100k queued
  // lstat calls made a scan quadratic), so the consumed prefix is dropped in one go instead.
  let waiting: (() => void)[] = [];
  let head = 0;

  const release = (): void => {
    if (head < waiting.length) {
      const next = waiting[head++] as () => void;
      if (head >= 1024 && head * 2 >= waiting.length) {
        waiting = waiting.slice(head);
        head = 0;
      }
      // The slot passes straight to the next job, so `active` never overshoots.
      next();
    } else active--;
  };

  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      release();
    }
  };
}
