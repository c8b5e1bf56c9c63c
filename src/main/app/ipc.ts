// The one IPC channel between the settings window and the app service: 'twinfold:call' answers
// requests from our window's top frame only (the service parses the arguments with zod), and
// 'twinfold:event' forwards the service's events to the window. Failures travel as data.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CALL_CHANNEL, EVENT_CHANNEL, EVENT_NAMES } from '../../common/ipcNames.js';
import type { AppServiceApi } from '../service/types.js';
import { isTrustedSender, parseCallEnvelope, replyTo, type CallReply } from './ipcReply.js';
import type { SettingsWindow } from './window.js';

/** Returns a function that removes the handler and the event forwarding. */
export function installIpc(service: AppServiceApi, window: SettingsWindow, log: (line: string) => void): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, args: unknown): Promise<CallReply> => {
    const win = window.browserWindow;
    const frame = event.senderFrame;
    const trusted = isTrustedSender({
      senderId: event.sender.id,
      windowId: win?.webContents.id,
      // Top frame of the sender (no parent); the sender itself must be our window's webContents.
      isMainFrame: frame !== null && frame.parent === null,
      frameUrl: frame?.url,
    });
    if (!trusted) {
      log(`ipc: refused a call from ${frame?.url ?? 'an unknown frame'}`);
      return { error: { code: 'bad_request', message: 'This page may not talk to Twinfold.' } };
    }
    const call = parseCallEnvelope(name, args);
    if (!call) return { error: { code: 'bad_request', message: 'Not a Twinfold request.' } };
    return replyTo(() => service.call(call.name, call.args));
  });

  const unsubscribe = EVENT_NAMES.map((name) =>
    service.on(name, (payload: unknown) => {
      const wc = window.browserWindow?.webContents;
      // A hidden window still gets state, so it is current the moment it is shown.
      if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, name, payload);
    }),
  );

  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    for (const off of unsubscribe) off();
  };
}
