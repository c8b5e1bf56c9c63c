// Picks the host the UI runs in: the Electron preload facade (`window.twinfold`) when present,
// else the web backend of `twinfold serve`. Nothing else in the UI knows which one it got.
import type { TwinfoldApi } from '../common/contract.js';
import type { Host } from './host.js';
import { createWebHost } from './webApi.js';

declare global {
  interface Window {
    twinfold?: TwinfoldApi;
  }
}

export function connectToHost(): Host {
  const preload = window.twinfold;
  if (preload) {
    // IPC to the main process does not drop: the window lives and dies with it.
    return { api: preload, connection: () => 'connected', onConnection: () => () => undefined };
  }
  return createWebHost();
}
