// Realistic AppState / activity fixtures for looking at the window UI (tests/e2e/ui-preview.ts):
// signed out, syncing with progress, needing attention (error, conflict, mass delete), paused.
import type { ActivityItem, AppState, FolderListing, PairView, PathErrorView } from '../../src/common/contract.js';

export interface PreviewFixture {
  state: AppState;
  activity: ActivityItem[];
  errors: PathErrorView[];
  /** browseRemote / browseLocal answers by path. */
  remote: Record<string, FolderListing>;
  local: Record<string, FolderListing>;
  ignoreRules: string;
}

const MIN = 60_000;

const desktopHost: AppState['host'] = { kind: 'electron', nativeFolderPicker: true, canReveal: true, canAutostart: true };
const webHost: AppState['host'] = { kind: 'web', nativeFolderPicker: false, canReveal: false, canAutostart: false };

function pair(overrides: Partial<PairView> & Pick<PairView, 'id' | 'localPath' | 'remotePath'>): PairView {
  return {
    options: { quietMs: 1000, deletionPolicy: 'propagate', excluded: [] },
    paused: false,
    engineState: 'idle',
    overall: 'up_to_date',
    line: 'Up to date',
    massDeleteHeld: false,
    done: 0,
    total: 0,
    bytesPerSec: 0,
    transfers: [],
    errorCount: 0,
    ...overrides,
  };
}

const remoteTree: Record<string, FolderListing> = {
  '': { path: '', folders: [{ name: 'Photos', path: '/Photos' }, { name: 'Projects', path: '/Projects' }, { name: 'Work', path: '/Work' }, { name: 'Shared with Ann', path: '/Shared with Ann' }] },
  '/Work': { path: '/Work', parent: '', folders: [{ name: 'Clients', path: '/Work/Clients' }, { name: 'Invoices', path: '/Work/Invoices' }, { name: 'Archive 2019–2023', path: '/Work/Archive 2019–2023' }] },
  '/Work/Clients': { path: '/Work/Clients', parent: '/Work', folders: [{ name: 'Acme', path: '/Work/Clients/Acme' }, { name: 'Globex', path: '/Work/Clients/Globex' }] },
  '/Photos': { path: '/Photos', parent: '', folders: [{ name: '2023', path: '/Photos/2023' }, { name: '2024', path: '/Photos/2024' }, { name: '2025', path: '/Photos/2025' }, { name: 'Raw', path: '/Photos/Raw' }] },
  '/Photos/Raw': { path: '/Photos/Raw', parent: '/Photos', folders: [] },
  '/Projects': { path: '/Projects', parent: '', folders: [] },
};

const localTree: Record<string, FolderListing> = {
  '/home/ann': { path: '/home/ann', parent: '/home', folders: ['Desktop', 'Documents', 'Downloads', 'Music', 'Pictures', 'Projects', 'Videos'].map((n) => ({ name: n, path: `/home/ann/${n}` })) },
  '/home/ann/Documents': { path: '/home/ann/Documents', parent: '/home/ann', folders: [{ name: 'Taxes', path: '/home/ann/Documents/Taxes' }, { name: 'Work', path: '/home/ann/Documents/Work' }] },
};

const base = (now: number): Omit<PreviewFixture, 'state'> => ({
  activity: [
    { id: 'pwork001:9', pairId: 'pwork001', time: now - 40_000, action: 'upload', path: '/Clients/Acme/Proposal v3.pdf', size: 2_480_000 },
    { id: 'pwork001:8', pairId: 'pwork001', time: now - 3 * MIN, action: 'download', path: '/Invoices/2025-03.xlsx', size: 48_200 },
    { id: 'pwork001:7', pairId: 'pwork001', time: now - 12 * MIN, action: 'delete_local', path: '/Drafts/old notes.txt', size: 1_200, detail: 'the trash' },
    { id: 'pphoto01:6', pairId: 'pphoto01', time: now - 55 * MIN, action: 'mkdir_remote', path: '/2025/March' },
    { id: 'pphoto01:5', pairId: 'pphoto01', time: now - 3 * 60 * MIN, action: 'download', path: '/2025/March/IMG_2231.HEIC', size: 3_912_000 },
    { id: 'pwork001:4', pairId: 'pwork001', time: now - 26 * 60 * MIN, action: 'move_remote', path: '/Clients/Globex/contract.docx', size: 88_000, detail: '/Clients/Globex/Signed/contract.docx' },
  ],
  errors: [],
  remote: remoteTree,
  local: localTree,
  ignoreRules: '# Editor and build leftovers\n*.tmp\n*.swp\nnode_modules/\n.DS_Store\n',
});

export function fixtures(now: number): Record<string, PreviewFixture> {
  const signedIn: Pick<AppState, 'account' | 'signInNeeded' | 'signIn' | 'secretStorage' | 'settings'> = {
    account: { accountId: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', displayName: 'Ann Example', email: 'ann@example.com' },
    signInNeeded: false,
    signIn: { pending: false },
    secretStorage: { kind: 'keychain' },
    settings: { notifications: true, startAtLogin: true, appKey: 'k3yabc123xyz' },
  };

  const workSyncing = pair({
    id: 'pwork001',
    localPath: '/home/ann/Work',
    remotePath: '/Work',
    engineState: 'syncing',
    overall: 'syncing',
    line: 'Syncing 5 of 12, 2.1 MB/s',
    done: 4,
    total: 12,
    bytesPerSec: 2_100_000,
    transfers: [
      { pairId: 'pwork001', path: '/Clients/Acme/Brand guidelines 2025 (final).pdf', direction: 'up', bytes: 7_340_000, total: 18_900_000 },
      { pairId: 'pwork001', path: '/Invoices/2025-04.xlsx', direction: 'down', bytes: 12_000, total: 51_300 },
    ],
    lastSyncedAt: now - 14 * MIN,
  });
  const photosSyncing = pair({
    id: 'pphoto01',
    localPath: '/home/ann/Pictures/Phone',
    remotePath: '/Photos',
    engineState: 'syncing',
    overall: 'syncing',
    line: 'Syncing 2 of 40, 6.4 MB/s',
    done: 1,
    total: 40,
    bytesPerSec: 6_400_000,
    options: { quietMs: 5000, deletionPolicy: 'keep', excluded: ['/Raw'] },
    transfers: [{ pairId: 'pphoto01', path: '/2025/April/IMG_2301.HEIC', direction: 'down', bytes: 3_100_000, total: 4_020_000 }],
    lastSyncedAt: now - 2 * 60 * MIN,
  });

  // Before any sign-in (web host): nothing synced, nothing happened yet.
  const signedOut = (state: Partial<AppState> = {}): PreviewFixture => ({
    ...base(now),
    activity: [],
    state: { overall: 'no_pairs', line: 'Sign in to Dropbox to start', bytesPerSec: 0, signInNeeded: false, signIn: { pending: false }, pairs: [], settings: { notifications: true }, host: webHost, ...state },
  });

  return {
    'signed-out': signedOut(),
    'signing-in-paste': signedOut({
      signIn: { pending: true, mode: 'paste', authorizeUrl: 'https://www.dropbox.com/oauth2/authorize?client_id=k3yabc123xyz&response_type=code&token_access_type=offline', error: 'That code was already used. Start again and paste the new code.' },
      settings: { notifications: true, appKey: 'k3yabc123xyz' },
      secretStorage: { kind: 'plain-file', warning: 'No keychain is available on this server, so the Dropbox sign-in is kept in ~/.config/twinfold/secrets.json (readable only by you). Anyone who can read that file can use your Dropbox.' },
    }),
    'no-pairs': {
      ...base(now),
      activity: [],
      state: { ...signedIn, overall: 'no_pairs', line: 'No folders yet', bytesPerSec: 0, pairs: [], host: desktopHost },
    },
    syncing: {
      ...base(now),
      state: {
        ...signedIn,
        overall: 'syncing',
        line: 'Syncing 2 folders',
        bytesPerSec: 8_500_000,
        lastSyncedAt: now - 14 * MIN,
        pairs: [workSyncing, photosSyncing],
        host: desktopHost,
      },
    },
    attention: {
      ...base(now),
      activity: [
        { id: 'pwork001:12', pairId: 'pwork001', time: now - 90_000, action: 'conflict', path: '/Clients/Acme/Budget.xlsx', size: 120_400, detail: "/Clients/Acme/Budget (ann-laptop's conflicted copy 2025-04-02).xlsx" },
        { id: 'pwork001:11', pairId: 'pwork001', time: now - 4 * MIN, action: 'error', path: '/Clients/Acme/huge-export.zip', detail: 'Not enough space in Dropbox' },
        ...base(now).activity,
      ],
      errors: [
        { pairId: 'pwork001', path: '/Clients/Acme/huge-export.zip', title: 'Dropbox is full', message: 'Your Dropbox has no space left for this 12 GB file. Free up space or upgrade, then retry.', time: now - 4 * MIN, attempts: 3 },
        { pairId: 'pwork001', path: '/Notes/what?.txt', title: 'Name not allowed', message: 'Dropbox does not accept names with ? in them. Rename the file on this computer.', time: now - 20 * MIN, attempts: 1 },
      ],
      state: {
        ...signedIn,
        overall: 'error',
        line: '2 items could not be synced',
        bytesPerSec: 0,
        lastSyncedAt: now - 6 * MIN,
        pairs: [
          pair({ id: 'pwork001', localPath: '/home/ann/Work', remotePath: '/Work', engineState: 'idle', overall: 'error', line: 'Up to date, 2 item(s) could not be synced', errorCount: 2, lastSyncedAt: now - 6 * MIN }),
          pair({ id: 'pphoto01', localPath: '/home/ann/Pictures/Phone', remotePath: '/Photos', engineState: 'paused', overall: 'paused', line: 'Paused: 214 files were deleted; confirm to continue', massDeleteHeld: true, lastSyncedAt: now - 50 * MIN }),
        ],
        host: webHost,
        settings: { notifications: false, appKey: 'k3yabc123xyz' },
      },
    },
    paused: {
      ...base(now),
      state: {
        ...signedIn,
        overall: 'paused',
        line: 'Paused by you',
        bytesPerSec: 0,
        lastSyncedAt: now - 25 * MIN,
        pausedUntil: now + 42 * MIN,
        pairs: [
          pair({ id: 'pwork001', localPath: '/home/ann/Work', remotePath: '/Work', engineState: 'paused', overall: 'paused', paused: true, pausedUntil: now + 42 * MIN, line: 'Paused', lastSyncedAt: now - 25 * MIN }),
          pair({ id: 'pphoto01', localPath: '/home/ann/Pictures/Phone', remotePath: '/Photos', engineState: 'paused', overall: 'paused', paused: true, pausedUntil: now + 42 * MIN, line: 'Paused', lastSyncedAt: now - 3 * 60 * MIN }),
        ],
        host: desktopHost,
      },
    },
    'signin-needed': {
      ...base(now),
      state: {
        ...signedIn,
        signInNeeded: true,
        overall: 'signin_needed',
        line: 'Sign in again: Dropbox no longer accepts the saved credentials',
        bytesPerSec: 0,
        lastSyncedAt: now - 3 * 24 * 60 * MIN,
        pairs: [pair({ id: 'pwork001', localPath: '/home/ann/Work', remotePath: '/Work', engineState: 'needs_signin', overall: 'signin_needed', line: 'Sign in again to continue', lastSyncedAt: now - 3 * 24 * 60 * MIN })],
        host: desktopHost,
      },
    },
  };
}
