// The app service: everything the window UI can ask for, in one place, for both hosts (the
// Electron shell and `twinfold serve`). It composes the account (Dropbox sign-in) and the pair
// manager (one sync engine per folder pair), parses every request with the contract's schemas,
// and pushes the app state to the UI, throttled so progress ticks never flood a window or socket.
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { isRequestName, requests, type ActivityItem, type AppState, type EventName, type EventPayload, type RequestName, type SettingsView } from '../../common/contract.js';
import { errorMessage, redactSecrets } from '../core/errors.js';
import { lockStateDir, type StateLock } from '../core/stateLock.js';
import { makeStateDir } from '../core/pairState.js';
import { SecretStoreError } from '../core/secrets/index.js';
import { toCallFailure } from './callFailures.js';
import type { SecretStore } from '../core/secrets/index.js';
import { AccountService } from './account/accountService.js';
import { PairManager } from './pairs/pairManager.js';
import { NotificationCoalescer } from './notifications/notificationCoalescer.js';
import { browseLocalFolders } from './localBrowser.js';
import { deriveOverall } from './overallState.js';
import type { Settings } from './settings/settingsSchema.js';
import { CallFailure, type AppServiceApi, type CallContext, type HostAdapter, type OAuthRedirectQuery, type SettingsStore } from './types.js';

export interface AppServiceOptions {
  host: HostAdapter;
  settings: SettingsStore;
  secrets: SecretStore;
  /** Where per-pair state (indexes, locks) lives; locked by start() for the life of the service. */
  stateDir: string;
  /** The state folder's lock when the host took it already (serve does, before writing anything). */
  stateLock?: StateLock;
  /** The per-user registry of pairs running in any process (default: activeRootsDir()). */
  activeRootsDir?: string;
  /** Dropbox API base URL (an emulator); absent: the real Dropbox. */
  apiUrl?: string;
  /** The app key from the environment, used when the settings hold none. */
  envAppKey?: string;
  /** This device's name, for conflicted copies. */
  deviceName: string;
  log?: (line: string) => void;
  fetch?: typeof fetch;
  /** The fixed loopback port of the desktop sign-in redirect. */
  loopbackPort?: number;
  /** Minimum time between two 'state' events. */
  stateIntervalMs?: number;
  now?: () => number;
}

const STATE_INTERVAL_MS = 250;
const RECENT_FOR_NOTIFICATIONS = 50;

export function createAppService(opts: AppServiceOptions): AppServiceApi {
  return new AppService(opts);
}

type Handlers = { [N in RequestName]: (args: z.infer<(typeof requests)[N][0]>, ctx: CallContext) => Promise<z.infer<(typeof requests)[N][1]>> };

class AppService implements AppServiceApi {
  private readonly events = new EventEmitter<{ [N in EventName]: [EventPayload<N>] }>();
  private readonly account: AccountService;
  private readonly pairs: PairManager;
  private readonly notifications: NotificationCoalescer | undefined;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private startAtLogin: boolean | undefined;
  private signInIdentity = '';
  private stateTimer: NodeJS.Timeout | undefined;
  private lastStateAt = 0;
  private seenActivity = new Set<string>();
  private activityPending = false;
  private started = false;
  private stopped = false;
  /** The state folder's lock when start() took it (and so stop() releases it). */
  private ownLock: StateLock | undefined;
  /** start()'s one run; a second start() waits for the same one. */
  private starting: Promise<void> | undefined;
  private openCalls!: () => void;
  /**
   * Settles once start() has settled (either way). Calls wait for it, also calls made before start()
   * was called (a host may take requests before it starts the service): a handler that ran earlier
   * would start engines that the start then starts a second time.
   */
  private readonly callsOpen = new Promise<void>((resolve) => {
    this.openCalls = resolve;
  });

  constructor(private readonly opts: AppServiceOptions) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
    this.account = new AccountService({
      settings: opts.settings,
      secrets: opts.secrets,
      apiUrl: opts.apiUrl,
      fetch: opts.fetch,
      host: opts.host,
      loopbackPort: opts.loopbackPort,
      envAppKey: opts.envAppKey,
      now: this.now,
      log: this.log,
    });
    this.pairs = new PairManager({
      stateDir: opts.stateDir,
      settings: opts.settings,
      providerFor: (remoteRoot) => this.account.providerFor(remoteRoot),
      host: opts.deviceName,
      now: this.now,
      log: this.log,
      ...(opts.activeRootsDir !== undefined && { activeRootsDir: opts.activeRootsDir }),
    });
    const notify = opts.host.notify?.bind(opts.host);
    if (notify) this.notifications = new NotificationCoalescer({ notify, now: this.now });

    this.account.on('changed', () => void this.onAccountChanged());
    this.pairs.on('changed', () => this.scheduleState());
    // Finished ops come one by one; the UI hears about them with the next state, not per op.
    this.pairs.on('activity', () => {
      this.activityPending = true;
      this.scheduleState();
    });
    this.pairs.on('authFailed', () => this.account.markSignInNeeded());
  }

  start(): Promise<void> {
    if (!this.starting) {
      this.starting = this.doStart();
      this.starting.then(this.openCalls, this.openCalls);
    }
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.started = true;
    if (!this.opts.stateLock) {
      // One process per state folder: a second one would run (and remove) the first one's pairs.
      await makeStateDir(this.opts.stateDir);
      this.ownLock = await lockStateDir(this.opts.stateDir);
    }
    await this.reportUnreadableSecrets();
    await this.account.restore();
    this.signInIdentity = this.identity();
    this.startAtLogin = await this.readAutostart();
    this.seenActivity = new Set(this.pairs.recentActivity(RECENT_FOR_NOTIFICATIONS).map((a) => a.id));
    await this.pairs.startAll();
    this.scheduleState();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.stateTimer) clearTimeout(this.stateTimer);
    this.notifications?.dispose();
    await this.pairs.stopAll();
    await this.ownLock?.release();
  }

  /** A damaged secrets file is said at start, with its path and what to do, not first at sign-in. */
  private async reportUnreadableSecrets(): Promise<void> {
    try {
      await this.opts.secrets.list();
    } catch (err) {
      if (!(err instanceof SecretStoreError)) throw err;
      this.log(`the saved sign-ins cannot be read: ${errorMessage(err)}`);
    }
  }

  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void {
    const wrapped = listener as (payload: EventPayload<EventName>) => void;
    this.events.on(name, wrapped as never);
    return () => this.events.off(name, wrapped as never);
  }

  getState(): AppState {
    const accountView = this.account.view();
    const pairs = this.pairs.views();
    const settings = this.opts.settings.read();
    const overall = deriveOverall({ signedIn: accountView.account !== undefined, signInNeeded: accountView.signInNeeded, pairs });
    return {
      ...overall,
      account: accountView.account,
      signInNeeded: accountView.signInNeeded,
      signIn: accountView.signIn,
      secretStorage: accountView.secretStorage,
      pairs,
      pausedUntil: settings.pausedUntil,
      settings: this.settingsView(settings),
      host: {
        kind: this.opts.host.kind,
        nativeFolderPicker: this.opts.host.pickLocalFolder !== undefined,
        canReveal: this.opts.host.reveal !== undefined,
        canAutostart: this.opts.host.autostart !== undefined,
      },
    };
  }

  async call(name: string, args: unknown, ctx: CallContext = {}): Promise<unknown> {
    if (!isRequestName(name)) throw new CallFailure('not_found', `unknown request ${JSON.stringify(String(name).slice(0, 80))}`);
    const parsed = requests[name][0].safeParse(args ?? {});
    if (!parsed.success) throw new CallFailure('bad_request', describeZodError(parsed.error));
    const handler = this.handlers[name] as (args: unknown, ctx: CallContext) => Promise<unknown>;
    await this.callsOpen;
    try {
      return await handler(parsed.data, ctx);
    } catch (err) {
      const failure = toCallFailure(err);
      if (failure.code === 'internal') this.log(`request ${name} failed: ${failure.message}`);
      throw failure;
    } finally {
      this.scheduleState();
    }
  }

  completeRedirect(query: OAuthRedirectQuery): Promise<{ ok: boolean; message: string }> {
    return this.account.completeRedirect(query);
  }

  // ---------------------------------------------------------------------------------------------

  private readonly handlers: Handlers = {
    getState: async () => this.getState(),
    getActivity: async ({ limit }) => this.pairs.activity(limit),

    signInStart: (_args, ctx) => this.account.signInStart(ctx),
    signInFinish: ({ code }) => this.account.signInFinish(code),
    signInCancel: async () => this.account.signInCancel(),
    signOut: () => this.account.signOut(),

    browseLocal: ({ path }) => browseLocalFolders(path),
    pickLocalFolder: async () => {
      if (!this.opts.host.pickLocalFolder) throw new CallFailure('unavailable', 'there is no folder dialog here; use the folder browser');
      return { path: await this.opts.host.pickLocalFolder() };
    },
    browseRemote: ({ path }) => this.account.browseRemote(path),

    addPair: ({ localPath, remotePath, options }) => this.pairs.add({ localPath, remotePath, options }),
    removePair: ({ pairId }) => this.pairs.remove(pairId),
    setPairPaused: async ({ pairId, paused }) => this.pairs.setPaused(pairId, paused),
    setAllPaused: async ({ paused, minutes }) => this.pairs.setAllPaused(paused, minutes),
    updatePairOptions: ({ pairId, options }) => this.pairs.updateOptions(pairId, options),
    confirmMassDelete: async ({ pairId }) => this.pairs.confirmMassDelete(pairId),

    getIgnoreRules: ({ pairId }) => this.pairs.getIgnoreRules(pairId),
    setIgnoreRules: ({ pairId, text }) => this.pairs.setIgnoreRules(pairId, text),

    retryErrors: async ({ pairId, path }) => this.pairs.retryErrors(pairId, path),
    revealPath: async ({ pairId, path, open }) => {
      if (!this.opts.host.reveal) throw new CallFailure('unavailable', 'files can only be shown on the computer they are on');
      await this.opts.host.reveal(this.pairs.localPathOf(pairId, path), open);
    },
    openPairFolder: async ({ pairId }) => {
      if (!this.opts.host.reveal) throw new CallFailure('unavailable', 'folders can only be opened on the computer they are on');
      await this.opts.host.reveal(this.pairs.localPathOf(pairId, ''), true);
    },

    setSettings: async ({ notifications, startAtLogin, appKey }) => {
      if (startAtLogin !== undefined) {
        if (!this.opts.host.autostart) throw new CallFailure('unavailable', 'starting at login is only available in the desktop app');
        await this.opts.host.autostart.setEnabled(startAtLogin);
        this.startAtLogin = await this.readAutostart();
      }
      if (notifications !== undefined || appKey !== undefined) {
        const settings = this.opts.settings.read();
        this.opts.settings.write({ ...settings, ...(notifications !== undefined && { notifications }), ...(appKey !== undefined && { appKey }) });
      }
      return this.settingsView(this.opts.settings.read());
    },
  };

  private settingsView(settings: Settings): SettingsView {
    return { notifications: settings.notifications, startAtLogin: this.startAtLogin, appKey: settings.appKey ?? this.opts.envAppKey };
  }

  private async readAutostart(): Promise<boolean | undefined> {
    try {
      return await this.opts.host.autostart?.isEnabled();
    } catch (err) {
      this.log(`cannot read the start-at-login setting: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Engines restart only when who is signed in (or whether it works) changed, not on every sign-in step. */
  private async onAccountChanged(): Promise<void> {
    this.scheduleState();
    const identity = this.identity();
    if (!this.started || this.stopped || identity === this.signInIdentity) return;
    this.signInIdentity = identity;
    try {
      await this.pairs.restartAll();
    } catch (err) {
      this.log(`restarting the folder pairs failed: ${redactSecrets((err as Error).message)}`);
    }
    this.scheduleState();
  }

  private identity(): string {
    const view = this.account.view();
    return `${view.account?.accountId ?? ''}|${view.signInNeeded}`;
  }

  /** Sends the state at most every stateIntervalMs, always including the latest change. */
  private scheduleState(): void {
    if (this.stateTimer || this.stopped) return;
    const interval = this.opts.stateIntervalMs ?? STATE_INTERVAL_MS;
    const wait = Math.max(0, this.lastStateAt + interval - this.now());
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      this.lastStateAt = this.now();
      const state = this.getState();
      this.events.emit('state', state);
      const activityChanged = this.activityPending;
      this.activityPending = false;
      if (activityChanged) this.events.emit('activity', {});
      this.notifyAbout(state, activityChanged);
    }, wait);
  }

  private notifyAbout(state: AppState, activityChanged: boolean): void {
    if (!this.notifications) return;
    let fresh: ActivityItem[] = [];
    if (activityChanged) {
      const recent = this.pairs.recentActivity(RECENT_FOR_NOTIFICATIONS);
      fresh = recent.filter((a) => !this.seenActivity.has(a.id));
      this.seenActivity = new Set(recent.map((a) => a.id));
    }
    this.notifications.observe(state, fresh);
  }
}

function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}
