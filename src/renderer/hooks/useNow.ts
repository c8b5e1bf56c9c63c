// The current time, refreshed every so often, so "2 minutes ago" stays true without a re-render
// on every state event.
import { useEffect, useState } from 'preact/hooks';

export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
