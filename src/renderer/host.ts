// What the UI holds on to: the TwinfoldApi plus whether the line to the main side is up. The
// Electron window is always connected; the web UI can lose its event stream or its login.
import type { TwinfoldApi } from '../common/contract.js';

/** 'connecting' only before the first connection; 'reconnecting' after a drop (shown as a banner). */
export type Connection = 'connecting' | 'connected' | 'reconnecting' | 'unauthorized';

export interface Host {
  api: TwinfoldApi;
  connection(): Connection;
  /** Called on every change; 'connected' after a drop means "fetch everything again". */
  onConnection(listener: (connection: Connection) => void): () => void;
}
