// What a tray menu click does, as data: a request to the app service, or something only the shell
// can do (show the window, quit). Pure, so the mapping is table-tested; tray.ts runs the result.
import type { RequestArgs, RequestName } from '../../common/contract.js';
import { minutesUntilTomorrowMorning, type TrayAction } from './trayModel.js';

export type TrayEffect =
  | { kind: 'call'; name: RequestName; args: RequestArgs<RequestName> }
  | { kind: 'showSettings' }
  | { kind: 'quit' };

function call<N extends RequestName>(name: N, args: RequestArgs<N>): TrayEffect {
  return { kind: 'call', name, args };
}

/** `now` is the click time: a menu built hours ago must still pause until tomorrow 09:00. */
export function trayEffect(action: TrayAction, now: number): TrayEffect {
  switch (action.kind) {
    case 'reveal':
      return call('revealPath', { pairId: action.pairId, path: action.path, open: false });
    case 'pause':
      return call('setAllPaused', { paused: true });
    case 'pauseFor':
      return call('setAllPaused', { paused: true, minutes: action.minutes });
    case 'pauseUntilTomorrow':
      return call('setAllPaused', { paused: true, minutes: minutesUntilTomorrowMorning(now) });
    case 'resume':
      return call('setAllPaused', { paused: false });
    case 'openPairFolder':
      return call('openPairFolder', { pairId: action.pairId });
    case 'openSettings':
      return { kind: 'showSettings' };
    case 'quit':
      return { kind: 'quit' };
  }
}
