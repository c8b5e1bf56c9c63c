// The state of the line to the main side, and a counter that goes up on every (re)connect so
// data hooks know to fetch again what they may have missed.
import { useEffect, useState } from 'preact/hooks';
import type { Connection } from '../host.js';
import { useHost } from './hostContext.js';

export function useConnection(): { connection: Connection; generation: number } {
  const host = useHost();
  const [value, setValue] = useState({ connection: host.connection(), generation: 0 });
  useEffect(
    () =>
      host.onConnection((connection) =>
        setValue((prev) => ({ connection, generation: connection === 'connected' ? prev.generation + 1 : prev.generation })),
      ),
    [host],
  );
  return value;
}
