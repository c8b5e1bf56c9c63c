// The plain names of the IPC contract: the two Electron channels and the list of event names.
// Constants only, with no runtime imports (not even zod), so the sandboxed preload bundle and the
// web UI can take them from here instead of keeping their own copies. A unit test keeps
// EVENT_NAMES equal to the keys of contract.ts's `events`.
import type { EventName } from './contract.js';

export const CALL_CHANNEL = 'twinfold:call';
export const EVENT_CHANNEL = 'twinfold:event';

export const EVENT_NAMES: readonly EventName[] = ['state', 'activity'];
