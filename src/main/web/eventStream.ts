// GET /api/events: the service's events as server-sent events. A new client gets the current state
// at once, then every 'state' and 'activity' event, and a comment every 25 s so proxies and
// browsers keep the connection open. A slow client is never buffered without bound: while its
// socket is full only the newest state (and one activity flag) wait for it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServiceApi } from '../service/types.js';

export const PING_INTERVAL_MS = 25_000;

export function formatEvent(name: string, payload: unknown): string {
  // JSON never contains a raw newline, so one data: line carries the whole payload.
  return `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly service: AppServiceApi, private readonly pingMs = PING_INTERVAL_MS) {}

  attach(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise hold events back in their buffers.
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    this.open.add(res);

    let pendingState: unknown;
    let pendingActivity = false;
    const send = (chunk: string): void => {
      res.write(chunk);
    };
    const flush = (): void => {
      if (pendingState !== undefined) send(formatEvent('state', pendingState));
      if (pendingActivity) send(formatEvent('activity', {}));
      pendingState = undefined;
      pendingActivity = false;
    };
    res.on('drain', flush);

    send('retry: 2000\n\n');
    send(formatEvent('state', this.service.getState()));
    const offState = this.service.on('state', (state) => {
      if (res.writableNeedDrain) pendingState = state;
      else send(formatEvent('state', state));
    });
    const offActivity = this.service.on('activity', (payload) => {
      if (res.writableNeedDrain) pendingActivity = true;
      else send(formatEvent('activity', payload));
    });
    const ping = setInterval(() => {
      if (!res.writableNeedDrain) send(': ping\n\n');
    }, this.pingMs);
    ping.unref();

    const cleanup = (): void => {
      clearInterval(ping);
      offState();
      offActivity();
      res.off('drain', flush);
      this.open.delete(res);
    };
    res.once('close', cleanup);
  }

  /** Ends every stream (server shutdown); browsers would reconnect, but the server is gone. */
  closeAll(): void {
    for (const res of this.open) res.end();
  }
}
