// The one contract between the window UI and the main side, shared by both hosts: the Electron
// window (through the preload facade) and the web UI of `twinfold serve` (HTTP + server-sent
// events). Requests return promises; events push changes. Every request's argument is parsed with
// its zod schema on the main side from `unknown`, whatever the host.
import { z } from 'zod';

// ---- shared pieces ------------------------------------------------------------------------------

export const PairId = z.string().regex(/^[a-z0-9]{6,32}$/, 'not a folder pair id');
export type PairId = z.infer<typeof PairId>;

export const DeletionPolicy = z.enum(['propagate', 'keep']);
export type DeletionPolicy = z.infer<typeof DeletionPolicy>;

/** A Dropbox path as the user sees it: '' for the whole Dropbox, else '/A/b' (no trailing slash). */
export const RemotePath = z.string().max(4096).refine((p) => p === '' || (p.startsWith('/') && !p.endsWith('/') && !p.includes('\0')), 'a Dropbox path must be empty or start with /');

/** An absolute local path; the main side checks it further (exists, is a folder, not inside another pair). */
export const LocalPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'a path must not contain NUL');

export const EngineStateName = z.enum(['starting', 'idle', 'syncing', 'paused', 'offline', 'error', 'needs_signin', 'stopped']);
export type EngineStateName = z.infer<typeof EngineStateName>;

/** The headline shown for the whole app (tray icon, window header) and for each pair. */
export const OverallState = z.enum(['up_to_date', 'syncing', 'paused', 'offline', 'error', 'signin_needed', 'no_pairs']);
export type OverallState = z.infer<typeof OverallState>;

export const Transfer = z.object({
  pairId: PairId,
  /** Path relative to the pair's roots, '/a/b.txt'. */
  path: z.string(),
  direction: z.enum(['up', 'down']),
  bytes: z.number().nonnegative(),
  total: z.number().nonnegative(),
});
export type Transfer = z.infer<typeof Transfer>;

export const PairOptions = z.object({
  /** Wait this long after the last local change before uploading. */
  quietMs: z.number().int().min(0).max(3_600_000),
  deletionPolicy: DeletionPolicy,
  /** Dropbox subfolders (relative to the pair's Dropbox folder, '/a/b') that are not synced. */
  excluded: z.array(z.string().min(2).max(4096).startsWith('/')).max(1000),
});
export type PairOptions = z.infer<typeof PairOptions>;

export const PairView = z.object({
  id: PairId,
  localPath: z.string(),
  remotePath: z.string(),
  options: PairOptions,
  /** Paused by the user (or until `pausedUntil`), as opposed to held by the engine. */
  paused: z.boolean(),
  pausedUntil: z.number().optional(),
  engineState: EngineStateName,
  overall: OverallState,
  /** One line for people, e.g. "Syncing 3 of 12, 2.1 MB/s". */
  line: z.string(),
  /** Set when the engine held a pass back for a mass delete: the user may confirm it. */
  massDeleteHeld: z.boolean(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  bytesPerSec: z.number().nonnegative(),
  transfers: z.array(Transfer),
  lastSyncedAt: z.number().optional(),
  errorCount: z.number().int().nonnegative(),
});
export type PairView = z.infer<typeof PairView>;

export const AccountView = z.object({
  accountId: z.string(),
  displayName: z.string(),
  email: z.string(),
});
export type AccountView = z.infer<typeof AccountView>;

export const SignInView = z.object({
  /** A sign-in was started and is waiting for the browser redirect or a pasted code. */
  pending: z.boolean(),
  mode: z.enum(['redirect', 'paste']).optional(),
  authorizeUrl: z.string().optional(),
  /** Why the last sign-in failed, for people. */
  error: z.string().optional(),
});
export type SignInView = z.infer<typeof SignInView>;

export const HostView = z.object({
  kind: z.enum(['electron', 'web']),
  /** Electron: the native folder dialog. Web: the server-side folder browser (browseLocal). */
  nativeFolderPicker: z.boolean(),
  /** Reveal in the file manager / open with the default app are possible (desktop only). */
  canReveal: z.boolean(),
  /** Start at login can be toggled here (desktop only). */
  canAutostart: z.boolean(),
});
export type HostView = z.infer<typeof HostView>;

export const SettingsView = z.object({
  notifications: z.boolean(),
  /** The real state of the OS entry; undefined where the host cannot start at login. */
  startAtLogin: z.boolean().optional(),
  /** The Dropbox app key used for sign-in; undefined until configured. */
  appKey: z.string().optional(),
});
export type SettingsView = z.infer<typeof SettingsView>;

export const AppState = z.object({
  overall: OverallState,
  /** The status line of the whole app (tray tooltip, window header). */
  line: z.string(),
  bytesPerSec: z.number().nonnegative(),
  lastSyncedAt: z.number().optional(),
  account: AccountView.optional(),
  /** The saved sign-in no longer works: the user must sign in again. */
  signInNeeded: z.boolean(),
  signIn: SignInView,
  /** Where tokens are kept, and a warning when it is a fallback (shown, never hidden). */
  secretStorage: z.object({ kind: z.enum(['keychain', 'encrypted-file', 'plain-file', 'memory']), warning: z.string().optional() }).optional(),
  pairs: z.array(PairView),
  /** All pairs paused by the user until this time (epoch ms), if a timed pause is running. */
  pausedUntil: z.number().optional(),
  settings: SettingsView,
  host: HostView,
});
export type AppState = z.infer<typeof AppState>;

export const ActivityAction = z.enum(['upload', 'download', 'delete_local', 'delete_remote', 'move_local', 'move_remote', 'conflict', 'mkdir_local', 'mkdir_remote', 'error', 'notice']);
export type ActivityAction = z.infer<typeof ActivityAction>;

export const ActivityItem = z.object({
  /** Unique across pairs: `${pairId}:${id}`. */
  id: z.string(),
  pairId: PairId,
  time: z.number(),
  action: ActivityAction,
  path: z.string(),
  size: z.number().optional(),
  /** For conflicts, the name of the conflicted copy; for deletes, where the file went. */
  detail: z.string().optional(),
});
export type ActivityItem = z.infer<typeof ActivityItem>;

export const PathErrorView = z.object({
  pairId: PairId,
  path: z.string(),
  title: z.string(),
  message: z.string(),
  time: z.number(),
  attempts: z.number().int(),
});
export type PathErrorView = z.infer<typeof PathErrorView>;

export const FolderEntry = z.object({ name: z.string(), path: z.string() });
export type FolderEntry = z.infer<typeof FolderEntry>;

export const FolderListing = z.object({
  path: z.string(),
  /** The parent folder's path; absent at the top. */
  parent: z.string().optional(),
  folders: z.array(FolderEntry),
});
export type FolderListing = z.infer<typeof FolderListing>;

// ---- requests -----------------------------------------------------------------------------------

const Empty = z.object({}).strict();
const PairArg = z.object({ pairId: PairId }).strict();

/** name → [argument schema, result schema]. Results are validated in tests, arguments always. */
export const requests = {
  getState: [Empty, AppState],
  getActivity: [z.object({ limit: z.number().int().min(1).max(500) }).strict(), z.object({ activity: z.array(ActivityItem), errors: z.array(PathErrorView) })],

  /** Starts the OAuth flow (authorization code + PKCE). Redirect mode: the host opens or navigates to the URL. */
  signInStart: [Empty, SignInView],
  /** Finishes a paste-mode sign-in with the code Dropbox showed the user. */
  signInFinish: [z.object({ code: z.string().trim().min(1).max(2048) }).strict(), AccountView],
  signInCancel: [Empty, z.void()],
  /** Revokes the token at Dropbox, forgets the secrets; pairs stay configured but stop. */
  signOut: [Empty, z.void()],

  /** Web host: the server-side folder browser. Absent path: the user's home folder. */
  browseLocal: [z.object({ path: LocalPath.optional() }).strict(), FolderListing],
  /** Electron host: the native folder dialog; undefined when cancelled. */
  pickLocalFolder: [Empty, z.object({ path: z.string().optional() })],
  /** Folders inside a Dropbox folder ('' = the top), for choosing a pair's Dropbox side and exclusions. */
  browseRemote: [z.object({ path: RemotePath }).strict(), FolderListing],

  addPair: [z.object({ localPath: LocalPath, remotePath: RemotePath, options: PairOptions.partial().optional() }).strict(), PairView],
  /** Stops syncing the pair and forgets its state; never deletes a file on either side. */
  removePair: [PairArg, z.void()],
  setPairPaused: [z.object({ pairId: PairId, paused: z.boolean() }).strict(), z.void()],
  /** Pauses or resumes every pair; `minutes` pauses for that long (0 or absent: until resumed). */
  setAllPaused: [z.object({ paused: z.boolean(), minutes: z.number().int().min(0).max(7 * 24 * 60).optional() }).strict(), z.void()],
  updatePairOptions: [z.object({ pairId: PairId, options: PairOptions.partial() }).strict(), PairView],
  /** Lets through a pass the mass-delete guard held back. */
  confirmMassDelete: [PairArg, z.void()],

  /** The pair's `.twinfoldignore` (gitignore syntax). */
  getIgnoreRules: [PairArg, z.object({ text: z.string() })],
  setIgnoreRules: [z.object({ pairId: PairId, text: z.string().max(256 * 1024) }).strict(), z.void()],

  /** Retries the failed paths of a pair now (one path, or all). */
  retryErrors: [z.object({ pairId: PairId, path: z.string().optional() }).strict(), z.void()],
  /** Desktop: shows the item in the file manager, or opens it with its default app. */
  revealPath: [z.object({ pairId: PairId, path: z.string(), open: z.boolean() }).strict(), z.void()],
  /** Desktop: opens the pair's local folder in the file manager. */
  openPairFolder: [PairArg, z.void()],

  setSettings: [z.object({ notifications: z.boolean().optional(), startAtLogin: z.boolean().optional(), appKey: z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'an app key is letters, digits, - and _').optional() }).strict(), SettingsView],
} as const;

export type RequestName = keyof typeof requests;
export type RequestArgs<N extends RequestName> = z.input<(typeof requests)[N][0]>;
export type RequestResult<N extends RequestName> = z.infer<(typeof requests)[N][1]>;

export const requestNames = Object.keys(requests) as RequestName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

// ---- events -------------------------------------------------------------------------------------

export const events = {
  /** The whole app state; sent on every change, at most a few times a second. */
  state: AppState,
  /** New activity or errors exist: the UI fetches them again with getActivity. */
  activity: z.object({}),
} as const;

export type EventName = keyof typeof events;
export type EventPayload<N extends EventName> = z.infer<(typeof events)[N]>;

/** What a host hands the UI: the renderer only ever sees this. */
export interface TwinfoldApi {
  call<N extends RequestName>(name: N, args: RequestArgs<N>): Promise<RequestResult<N>>;
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
}

/** Errors cross the boundary as this shape; `message` is written for people and never holds a secret. */
export const CallError = z.object({ code: z.enum(['bad_request', 'not_found', 'conflict', 'unavailable', 'auth', 'internal']), message: z.string() });
export type CallError = z.infer<typeof CallError>;
