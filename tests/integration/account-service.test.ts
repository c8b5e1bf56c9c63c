// AccountService end to end against the Dropbox emulator's OAuth pages and API: the paste flow,
// the desktop loopback redirect, the web host's redirect callback, refused state, denied consent,
// the port taken, sign-out with revocation, restore after a restart (working, revoked, offline),
// refreshed tokens saved, and the Dropbox folder browser. Stores are the in-memory ones.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:net';
import { Dropbox } from 'dropbox';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { MemorySecretStore } from '../../src/main/core/secrets/index.js';
import { AccountService, type AccountServiceOptions, type AccountServiceView } from '../../src/main/service/account/accountService.js';
import { MemorySettingsStore } from '../../src/main/service/settings/jsonSettingsStore.js';
import { defaultSettings } from '../../src/main/service/settings/settingsSchema.js';
import { CallFailure, type HostAdapter } from '../../src/main/service/types.js';

/** Waits on events: a bug shows up as a failure, not a hang. */
const LIMIT = { timeout: 30_000 };

const APP_KEY = 'twinfold-test-key';
const STATIC_TOKEN = 'static-test-token';

/** A secret store that reports each write, so tests wait for a refresh to be saved. */
class ObservedSecrets extends MemorySecretStore {
  readonly writes = new EventEmitter();
  override async set(account: string, secret: string): Promise<void> {
    await super.set(account, secret);
    this.writes.emit('set', account);
  }
}

interface World {
  emu: Emulator;
  settings: MemorySettingsStore;
  secrets: ObservedSecrets;
  opened: string[];
  logs: string[];
  electron: HostAdapter;
  web: HostAdapter;
  service(extra?: Partial<AccountServiceOptions>): AccountService;
  /** Files and folders made directly through the SDK with a static token. */
  dbx: Dropbox;
}

async function world(t: TestContext): Promise<World> {
  const emu = await startEmulator({ accessTokens: [STATIC_TOKEN] });
  t.after(() => emu.close());
  const settings = new MemorySettingsStore({ ...defaultSettings(), appKey: APP_KEY });
  const secrets = new ObservedSecrets();
  const opened: string[] = [];
  const logs: string[] = [];
  const electron: HostAdapter = { kind: 'electron', openExternal: async (url) => void opened.push(url) };
  const web: HostAdapter = { kind: 'web' };
  return {
    emu,
    settings,
    secrets,
    opened,
    logs,
    electron,
    web,
    service: (extra = {}) => new AccountService({ settings, secrets, apiUrl: emu.url, host: web, loopbackPort: 0, log: (line) => logs.push(line), ...extra }),
    dbx: new Dropbox({ accessToken: STATIC_TOKEN, fetch: rewritingFetch(emu.url) }),
  };
}

/** What the user's browser does on the consent page: GET it, then post the form with a decision. */
async function decide(authorizeUrl: string, decision: 'allow' | 'deny'): Promise<Response> {
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200, await page.clone().text());
  const html = await page.text();
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(name!, unescapeHtml(value!));
  form.set('response_type', 'code');
  form.set('decision', decision);
  return fetch(new URL('/oauth2/authorize', authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
}

function unescapeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The no-redirect flow's code page shows the code for the user to copy. */
async function codeFromPage(res: Response): Promise<string> {
  const html = await res.text();
  const code = /id="authorization-code">([^<]+)</.exec(html)?.[1];
  assert.ok(code, `no code on the page: ${html.slice(0, 300)}`);
  return unescapeHtml(code);
}

/** Resolves when the service's view satisfies `ready`, checked now and on every 'changed'. */
function viewWhen(service: AccountService, ready: (view: AccountServiceView) => boolean): Promise<AccountServiceView> {
  return new Promise((resolve) => {
    const check = (): void => {
      const view = service.view();
      if (!ready(view)) return;
      service.off('changed', check);
      resolve(view);
    };
    service.on('changed', check);
    check();
  });
}

async function savedSignIn(w: World): Promise<{ accessToken: string; refreshToken: string; appKey: string; expiresAt: number }> {
  const raw = await w.secrets.get(w.emu.accountId);
  assert.ok(raw, 'no saved sign-in');
  return JSON.parse(raw) as { accessToken: string; refreshToken: string; appKey: string; expiresAt: number };
}

async function accountWorks(w: World, accessToken: string): Promise<number> {
  const res = await fetch(`${w.emu.url}/2/users/get_current_account`, { method: 'POST', headers: { Authorization: `Bearer ${accessToken}` } });
  await res.body?.cancel();
  return res.status;
}

/** Signs in through the paste flow and returns the service. */
async function signedIn(w: World, extra: Partial<AccountServiceOptions> = {}): Promise<AccountService> {
  const service = w.service(extra);
  await service.restore();
  const started = await service.signInStart({});
  assert.equal(started.mode, 'paste');
  await service.signInFinish(await codeFromPage(await decide(started.authorizeUrl!, 'allow')));
  return service;
}

async function failureOf(promise: Promise<unknown>): Promise<CallFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CallFailure, `expected a CallFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

// ---- sign-in flows -------------------------------------------------------------------------------

test('paste flow: the consent page shows a code, pasting it signs in and saves the tokens, never in settings', LIMIT, async (t) => {
  const w = await world(t);
  const service = w.service();
  await service.restore();
  assert.deepEqual(service.view().signIn, { pending: false });
  assert.equal(service.view().account, undefined);

  const started = await service.signInStart({});
  assert.equal(started.pending, true);
  assert.equal(started.mode, 'paste');
  const url = new URL(started.authorizeUrl!);
  assert.equal(url.origin, w.emu.url);
  assert.equal(url.searchParams.get('redirect_uri'), null);
  assert.equal(url.searchParams.get('token_access_type'), 'offline');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');

  const code = await codeFromPage(await decide(started.authorizeUrl!, 'allow'));
  const account = await service.signInFinish(`  ${code}\n`);
  assert.deepEqual(account, { accountId: w.emu.accountId, displayName: 'Emma Ulator', email: 'emma.ulator@example.com' });

  const view = service.view();
  assert.deepEqual(view.account, account);
  assert.equal(view.signInNeeded, false);
  assert.deepEqual(view.signIn, { pending: false });
  assert.deepEqual(view.secretStorage, { kind: 'memory' });
  assert.equal(w.settings.read().accountId, w.emu.accountId);
  const saved = await savedSignIn(w);
  assert.equal(saved.appKey, APP_KEY);
  assert.equal(await accountWorks(w, saved.accessToken), 200);
  assert.ok(w.emu.tokens.refreshGrant(saved.refreshToken), 'a refresh token was saved');
  const settingsText = JSON.stringify(w.settings.read());
  assert.ok(!settingsText.includes(saved.accessToken) && !settingsText.includes(saved.refreshToken), 'a token ended up in the settings');
  assert.ok(!w.logs.join('\n').includes(saved.refreshToken), 'a token ended up in the log');
});

test('a wrong code is refused clearly and the sign-in stays open for the right one', LIMIT, async (t) => {
  const w = await world(t);
  const service = w.service();
  const started = await service.signInStart({});
  const wrong = await failureOf(service.signInFinish('not-the-code'));
  assert.equal(wrong.code, 'bad_request');
  assert.match(wrong.message, /wrong or expired/);
  assert.ok(!wrong.message.includes('not-the-code'));
  assert.equal(service.view().signIn.pending, true);
  assert.match(service.view().signIn.error ?? '', /wrong or expired/);
  assert.equal((await failureOf(service.signInFinish('has spaces inside'))).code, 'bad_request');

  await service.signInFinish(await codeFromPage(await decide(started.authorizeUrl!, 'allow')));
  assert.equal(service.view().account?.accountId, w.emu.accountId);
  assert.equal(service.view().signIn.error, undefined);
});

test('without an app key sign-in explains what to set; a key set later (or from the environment) is used', LIMIT, async (t) => {
  const w = await world(t);
  w.settings.write({ ...w.settings.read(), appKey: undefined });
  const service = w.service();
  assert.equal(service.hasAppKey(), false);
  const missing = await failureOf(service.signInStart({}));
  assert.equal(missing.code, 'bad_request');
  assert.match(missing.message, /app key/i);
  assert.equal(service.view().signIn.pending, false);

  w.settings.write({ ...w.settings.read(), appKey: 'later-key' });
  assert.equal(service.hasAppKey(), true);
  assert.equal(new URL((await service.signInStart({})).authorizeUrl!).searchParams.get('client_id'), 'later-key');

  w.settings.write({ ...w.settings.read(), appKey: undefined });
  const fromEnv = w.service({ envAppKey: 'env-key' });
  assert.equal(new URL((await fromEnv.signInStart({})).authorizeUrl!).searchParams.get('client_id'), 'env-key');
});

test('desktop: the loopback listener receives the browser and finishes the sign-in by itself', LIMIT, async (t) => {
  const w = await world(t);
  const service = w.service({ host: w.electron });
  const started = await service.signInStart({});
  assert.equal(started.mode, 'redirect');
  assert.deepEqual(w.opened, [started.authorizeUrl], 'the browser was not opened with the authorize URL');
  const redirectUri = new URL(started.authorizeUrl!).searchParams.get('redirect_uri');
  assert.match(redirectUri ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
  await assert.rejects(service.signInFinish('whatever'), (err: unknown) => err instanceof CallFailure && err.code === 'conflict');

  const consent = await decide(started.authorizeUrl!, 'allow');
  assert.equal(consent.status, 302);
  const location = consent.headers.get('location')!;
  assert.ok(location.startsWith(redirectUri!), location);
  const signedInView = viewWhen(service, (v) => v.account?.displayName === 'Emma Ulator');
  const landing = await fetch(location); // the browser follows the redirect
  assert.match(await landing.text(), /You can close this tab and return to Twinfold/);
  const view = await signedInView;
  assert.equal(view.signIn.pending, false);
  assert.equal(w.settings.read().accountId, w.emu.accountId);
  assert.equal(await accountWorks(w, (await savedSignIn(w)).accessToken), 200);
});

test('desktop: denied consent ends the sign-in with a message', LIMIT, async (t) => {
  const w = await world(t);
  const service = w.service({ host: w.electron });
  const started = await service.signInStart({});
  const consent = await decide(started.authorizeUrl!, 'deny');
  const failed = viewWhen(service, (v) => v.signIn.error !== undefined);
  await (await fetch(consent.headers.get('location')!)).text();
  const view = await failed;
  assert.equal(view.signIn.pending, false);
  assert.match(view.signIn.error!, /did not allow/);
  assert.equal(view.account, undefined);
  assert.equal(w.settings.read().accountId, undefined);
});

test('desktop: with the loopback port taken, sign-in falls back to pasting the code', LIMIT, async (t) => {
  const w = await world(t);
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const service = w.service({ host: w.electron, loopbackPort: (blocker.address() as { port: number }).port });
  const started = await service.signInStart({});
  assert.equal(started.mode, 'paste');
  assert.equal(new URL(started.authorizeUrl!).searchParams.get('redirect_uri'), null);
  assert.deepEqual(w.opened, [], 'paste mode leaves opening the link to the UI');
  assert.ok(w.logs.some((line) => /in use/.test(line)));
  await service.signInFinish(await codeFromPage(await decide(started.authorizeUrl!, 'allow')));
  assert.equal(service.view().account?.accountId, w.emu.accountId);
});

test('a new start replaces the old one: the old listener stops and the old state is refused', LIMIT, async (t) => {
  const w = await world(t);
  const service = w.service({ host: w.electron });
  const first = await service.signInStart({});
  const firstRedirect = new URL(first.authorizeUrl!).searchParams.get('redirect_uri')!;
  const second = await service.signInStart({});
  assert.notEqual(first.authorizeUrl, second.authorizeUrl);
  await assert.rejects(fetch(`${firstRedirect}?code=x&state=${new URL(first.authorizeUrl!).searchParams.get('state')}`), TypeError);
  service.signInCancel();
  assert.deepEqual(service.view().signIn, { pending: false });
});

test('web host: the redirect callback refuses a foreign state, keeps waiting, then completes', LIMIT, async (t) => {
  const w = await world(t);
  const service = w.service();
  const callback = 'http://127.0.0.1:8123/oauth/callback';
  const started = await service.signInStart({ redirectUri: callback });
  assert.equal(started.mode, 'redirect');
  assert.equal(new URL(started.authorizeUrl!).searchParams.get('redirect_uri'), callback);
  const location = new URL((await decide(started.authorizeUrl!, 'allow')).headers.get('location')!);
  assert.equal(`${location.origin}${location.pathname}`, callback);
  const code = location.searchParams.get('code')!;

  const forged = await service.completeRedirect({ code, state: 'forged-state' });
  assert.equal(forged.ok, false);
  assert.match(forged.message, /does not belong/);
  assert.ok(!forged.message.includes(code));
  assert.equal(service.view().signIn.pending, true);

  const done = await service.completeRedirect({ code, state: location.searchParams.get('state')! });
  assert.deepEqual(done, { ok: true, message: 'Signed in to Dropbox as Emma Ulator. You can close this tab and return to Twinfold.' });
  assert.equal(service.view().account?.email, 'emma.ulator@example.com');
  assert.equal((await service.completeRedirect({ code, state: location.searchParams.get('state')! })).ok, false, 'a second callback after the end');
});

test('web host: denied consent arrives at the callback and ends the sign-in', LIMIT, async (t) => {
  const w = await world(t);
  const service = w.service();
  const started = await service.signInStart({ redirectUri: 'http://127.0.0.1:8123/oauth/callback' });
  const location = new URL((await decide(started.authorizeUrl!, 'deny')).headers.get('location')!);
  const result = await service.completeRedirect(Object.fromEntries(location.searchParams));
  assert.equal(result.ok, false);
  assert.match(result.message, /did not allow/);
  assert.equal(service.view().signIn.pending, false);
  assert.match(service.view().signIn.error ?? '', /did not allow/);
  assert.equal(w.settings.read().accountId, undefined);
});

// ---- signed in: restore, sign out, tokens --------------------------------------------------------

test('sign-out revokes the grant at Dropbox, deletes the secret and forgets the account', LIMIT, async (t) => {
  const w = await world(t);
  const service = await signedIn(w);
  const saved = await savedSignIn(w);
  await service.signOut();
  assert.equal(await accountWorks(w, saved.accessToken), 401, 'the old access token still works');
  assert.equal(w.emu.tokens.refreshGrant(saved.refreshToken), undefined, 'the refresh token still works');
  assert.deepEqual(await w.secrets.list(), []);
  assert.equal(w.settings.read().accountId, undefined);
  const view = service.view();
  assert.equal(view.account, undefined);
  assert.equal(view.signInNeeded, false);
  assert.equal(service.providerFor(''), undefined);
  assert.equal((await failureOf(service.browseRemote(''))).code, 'auth');
});

test('sign-out while Dropbox is unreachable still signs out here, and says so in the log', LIMIT, async (t) => {
  const w = await world(t);
  await signedIn(w);
  await w.emu.close();
  const offline = w.service();
  await offline.restore();
  await offline.signOut();
  assert.deepEqual(await w.secrets.list(), []);
  assert.equal(w.settings.read().accountId, undefined);
  assert.ok(w.logs.some((line) => /signed out on this device only/.test(line)), w.logs.join('\n'));
});

test('after a restart the saved sign-in is restored; a revoked one needs sign-in; offline shows the id', LIMIT, async (t) => {
  const w = await world(t);
  await signedIn(w);
  const restarted = w.service();
  await restarted.restore();
  assert.equal(restarted.view().account?.displayName, 'Emma Ulator');
  assert.equal(restarted.view().signInNeeded, false);
  const provider = restarted.providerFor('');
  assert.ok(provider);
  assert.equal((await provider.getAccount()).accountId, w.emu.accountId);

  w.emu.tokens.revokeRefreshToken((await savedSignIn(w)).refreshToken);
  const revoked = w.service();
  await revoked.restore();
  assert.equal(revoked.view().signInNeeded, true);
  assert.equal(revoked.view().account?.accountId, w.emu.accountId);
  assert.equal(revoked.providerFor(''), undefined);
  assert.equal((await failureOf(revoked.browseRemote(''))).code, 'auth');
});

test('restore while Dropbox is unreachable keeps the sign-in and shows the account id', LIMIT, async (t) => {
  const w = await world(t);
  await signedIn(w);
  const url = w.emu.url;
  await w.emu.close();
  const offline = w.service({ apiUrl: url });
  await offline.restore();
  assert.deepEqual(offline.view().account, { accountId: w.emu.accountId, displayName: w.emu.accountId, email: '' });
  assert.equal(offline.view().signInNeeded, false);
  assert.ok(offline.providerFor('/Sync'));
  assert.equal((await failureOf(offline.browseRemote(''))).code, 'unavailable');
});

test('a damaged or missing secret means sign-in needed, never a crash', LIMIT, async (t) => {
  const w = await world(t);
  w.settings.write({ ...w.settings.read(), accountId: w.emu.accountId });
  const missing = w.service();
  await missing.restore();
  assert.equal(missing.view().signInNeeded, true);
  await w.secrets.set(w.emu.accountId, '{not json');
  const damaged = w.service();
  await damaged.restore();
  assert.equal(damaged.view().signInNeeded, true);
});

test('refreshed access tokens are saved, from the account client and from pair providers', LIMIT, async (t) => {
  const w = await world(t);
  const service = await signedIn(w);
  const first = await savedSignIn(w);

  w.emu.expireTokens();
  let saved = once(w.secrets.writes, 'set');
  await service.browseRemote('');
  await saved;
  const second = await savedSignIn(w);
  assert.notEqual(second.accessToken, first.accessToken);
  assert.equal(second.refreshToken, first.refreshToken);
  assert.equal(await accountWorks(w, second.accessToken), 200);

  w.emu.expireTokens();
  saved = once(w.secrets.writes, 'set');
  const provider = service.providerFor('');
  assert.ok(provider);
  await provider.getAccount();
  await saved;
  const third = await savedSignIn(w);
  assert.notEqual(third.accessToken, second.accessToken);
  assert.equal(await accountWorks(w, third.accessToken), 200);
});

test('markSignInNeeded stops handing out providers until the next sign-in', LIMIT, async (t) => {
  const w = await world(t);
  const service = await signedIn(w);
  const changed = once(service, 'changed');
  service.markSignInNeeded();
  await changed;
  assert.equal(service.view().signInNeeded, true);
  assert.equal(service.providerFor(''), undefined);
  const started = await service.signInStart({});
  await service.signInFinish(await codeFromPage(await decide(started.authorizeUrl!, 'allow')));
  assert.equal(service.view().signInNeeded, false);
  assert.ok(service.providerFor(''));
});

test('signing in as another account deletes the previous account\'s secret', LIMIT, async (t) => {
  const w = await world(t);
  const previous = 'dbid:AAprevious-account-000000000000000000';
  await w.secrets.set(previous, JSON.stringify({ provider: 'dropbox', appKey: APP_KEY, refreshToken: 'old-refresh', accessToken: 'old-access', expiresAt: Date.now() + 3_600_000 }));
  w.settings.write({ ...w.settings.read(), accountId: previous });
  const service = await signedIn(w);
  assert.deepEqual(await w.secrets.list(), [w.emu.accountId]);
  assert.equal(w.settings.read().accountId, w.emu.accountId);
  assert.equal(service.view().account?.accountId, w.emu.accountId);
});

// ---- the Dropbox folder browser ------------------------------------------------------------------

test('browseRemote lists sub-folders only, sorted case-insensitively, following every page', LIMIT, async (t) => {
  const w = await world(t);
  for (const path of ['/Zeta', '/apps', '/Photos', '/beta', '/Photos/2024', '/Photos/2023', '/Photos/2023/Summer']) await w.dbx.filesCreateFolderV2({ path });
  await w.dbx.filesUpload({ path: '/a.txt', contents: 'file' });
  await w.dbx.filesUpload({ path: '/Photos/cat.jpg', contents: 'cat' });

  // Pages of two entries, so the listing has to follow has_more.
  const continues: string[] = [];
  const smallPages: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith('/2/files/list_folder') && typeof init?.body === 'string') {
      init = { ...init, body: JSON.stringify({ ...JSON.parse(init.body), limit: 2 }) };
    }
    if (url.endsWith('/2/files/list_folder/continue')) continues.push(url);
    return fetch(input, init);
  };
  const service = await signedIn(w, { fetch: smallPages });

  const top = await service.browseRemote('');
  assert.deepEqual(top, {
    path: '',
    folders: [
      { name: 'apps', path: '/apps' },
      { name: 'beta', path: '/beta' },
      { name: 'Photos', path: '/Photos' },
      { name: 'Zeta', path: '/Zeta' },
    ],
  });
  assert.ok(continues.length >= 2, `expected paging, saw ${continues.length} continue calls`);
  assert.deepEqual(await service.browseRemote('/Photos'), {
    path: '/Photos',
    parent: '',
    folders: [{ name: '2023', path: '/Photos/2023' }, { name: '2024', path: '/Photos/2024' }],
  });
  assert.deepEqual(await service.browseRemote('/Photos/2023'), { path: '/Photos/2023', parent: '/Photos', folders: [{ name: 'Summer', path: '/Photos/2023/Summer' }] });
  assert.deepEqual(await service.browseRemote('/Photos/2023/Summer'), { path: '/Photos/2023/Summer', parent: '/Photos/2023', folders: [] });

  const missing = await failureOf(service.browseRemote('/Nope'));
  assert.equal(missing.code, 'not_found');
  const file = await failureOf(service.browseRemote('/a.txt'));
  assert.equal(file.code, 'bad_request');
  assert.match(file.message, /is a file/);
  assert.equal((await failureOf(service.browseRemote('/Photos/'))).code, 'bad_request');
  assert.equal((await failureOf(service.browseRemote('/../x'))).code, 'bad_request');
});

test('browseRemote after Dropbox revoked the sign-in marks sign-in needed', LIMIT, async (t) => {
  const w = await world(t);
  const service = await signedIn(w);
  w.emu.tokens.revokeRefreshToken((await savedSignIn(w)).refreshToken);
  const failure = await failureOf(service.browseRemote(''));
  assert.equal(failure.code, 'auth');
  assert.equal(service.view().signInNeeded, true);
});
