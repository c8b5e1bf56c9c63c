// Time as the engine sees it: injected so tests can drive waits and backoff without sleeping.

export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. Timers never keep the process alive. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** The real timers with another notion of "now" (the engine's `now` option). */
export function clockWithNow(now: () => number): Clock {
  return { now, setTimer: realClock.setTimer };
}
