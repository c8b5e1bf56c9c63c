// The shapes on the one IPC channel: how a call's result or failure travels to the preload, and who
// may call. Errors go back as data ({ error: { code, message } }) because Electron strips thrown
// errors down to a mangled message. Pure (no electron) so both rules are tested.
import type { CallError } from '../../common/contract.js';
import { redactSecrets, errorMessage } from '../core/errors.js';
import { CallFailure } from '../service/types.js';
import { isAppUrl } from './appProtocol.js';

export type CallReply = { result: unknown } | { error: CallError };

/** Turns anything a call threw into a reply for people: a CallFailure keeps its code, the rest is 'internal'. */
export function failureReply(err: unknown): { error: CallError } {
  if (err instanceof CallFailure) return { error: { code: err.code, message: redactSecrets(err.message) } };
  const message = errorMessage(err);
  return { error: { code: 'internal', message: redactSecrets(`Something went wrong: ${message}`) } };
}

export async function replyTo(run: () => Promise<unknown>): Promise<CallReply> {
  try {
    return { result: await run() };
  } catch (err) {
    return failureReply(err);
  }
}

export interface SenderFacts {
  /** webContents id of the sender, and of our settings window (undefined when it does not exist). */
  senderId: number;
  windowId: number | undefined;
  /** The sending frame is the window's top frame (not an iframe), and its URL. */
  isMainFrame: boolean;
  frameUrl: string | undefined;
}

/** Only our settings window's own top frame, showing our UI, may call the service. */
export function isTrustedSender(f: SenderFacts): boolean {
  return f.windowId !== undefined && f.senderId === f.windowId && f.isMainFrame && f.frameUrl !== undefined && isAppUrl(f.frameUrl);
}

/** Call names and arguments are checked by the service; here only that the envelope is sane. */
export function parseCallEnvelope(name: unknown, args: unknown): { name: string; args: unknown } | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > 100) return undefined;
  return { name, args: args === undefined ? {} : args };
}
