// The seams between the host-independent app service and the two hosts (the Electron shell and
// `twinfold serve`): what a host provides, how settings are stored, and what the service offers.
// Plain Node: nothing here imports electron, so both hosts and the tests share it.
import type { AppState, CallError, EventName, EventPayload } from '../../common/contract.js';
import type { Settings } from './settings/settingsSchema.js';

/** What the host can do that the service cannot: native dialogs, the file manager, the OS. */
export interface HostAdapter {
  readonly kind: 'electron' | 'web';
  /** The native folder dialog (Electron); undefined when the user cancelled. */
  pickLocalFolder?(): Promise<string | undefined>;
  /** Shows the item in the file manager, or opens it with its default app (`open`). */
  reveal?(absPath: string, open: boolean): Promise<void>;
  /** Opens a URL in the system browser (Electron's redirect-mode sign-in). */
  openExternal?(url: string): Promise<void>;
  /** Start at login; reads and writes the real OS entry. */
  autostart?: { isEnabled(): Promise<boolean>; setEnabled(enabled: boolean): Promise<void> };
  /** Shows a desktop notification; the service has already coalesced them. */
  notify?(notification: { title: string; body: string }): void;
}

/** Where settings live: electron-store in the app, a JSON file for `twinfold serve`. Never secrets. */
export interface SettingsStore {
  read(): Settings;
  /** Replaces the settings atomically; throws (changing nothing) when they cannot be saved. */
  write(settings: Settings): void;
}

/** Facts about one call that only the host knows. */
export interface CallContext {
  /**
   * Where Dropbox should send the browser after consent, for a redirect-mode sign-in. The web
   * server sets it when the UI was reached on loopback; absent: the service decides (the Electron
   * loopback listener) or falls back to the paste-the-code flow.
   */
  redirectUri?: string;
}

/** A request failed in a way the UI should show; `message` is for people and holds no secret. */
export class CallFailure extends Error {
  override readonly name = 'CallFailure';
  constructor(
    readonly code: CallError['code'],
    message: string,
  ) {
    super(message);
  }
}

export interface OAuthRedirectQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

/** What hosts use: one call entry point, events, and the OAuth redirect endpoint. */
export interface AppServiceApi {
  /** Parses `args` with the request's schema, runs it; throws CallFailure. */
  call(name: string, args: unknown, ctx?: CallContext): Promise<unknown>;
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
  getState(): AppState;
  /** The redirect target of a redirect-mode sign-in (web host: GET /oauth/callback). */
  completeRedirect(query: OAuthRedirectQuery): Promise<{ ok: boolean; message: string }>;
  start(): Promise<void>;
  /** Stops every engine after its current write; state is saved. */
  stop(): Promise<void>;
}
