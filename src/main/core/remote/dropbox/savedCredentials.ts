// How a Dropbox sign-in is kept in a SecretStore: one entry per Dropbox account id, holding the
// refresh token (and the latest short-lived access token) as JSON. Parsed strictly: a damaged
// entry is reported as "sign in again", never half-used.
import { z } from 'zod';
import type { SecretStore } from '../../secrets/index.js';
import type { DropboxCredentials } from './auth.js';

const SavedDropboxSignIn = z.object({
  provider: z.literal('dropbox'),
  appKey: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  accessToken: z.string().min(1).optional(),
  expiresAt: z.number().int().optional(),
});

export type SavedDropboxSignIn = z.infer<typeof SavedDropboxSignIn>;

export async function saveDropboxSignIn(store: SecretStore, accountId: string, signIn: SavedDropboxSignIn): Promise<void> {
  await store.set(accountId, JSON.stringify(SavedDropboxSignIn.parse(signIn)));
}

/** Credentials for the provider, or undefined when nothing usable is stored for the account. */
export async function loadDropboxCredentials(store: SecretStore, accountId: string): Promise<DropboxCredentials | undefined> {
  const raw = await store.get(accountId);
  if (raw === undefined) return undefined;
  let parsed: SavedDropboxSignIn;
  try {
    parsed = SavedDropboxSignIn.parse(JSON.parse(raw));
  } catch {
    return undefined;
  }
  if (parsed.refreshToken) {
    return {
      refreshToken: parsed.refreshToken,
      appKey: parsed.appKey,
      accessToken: parsed.accessToken,
      expiresAt: parsed.expiresAt === undefined ? undefined : new Date(parsed.expiresAt),
    };
  }
  return parsed.accessToken ? { accessToken: parsed.accessToken } : undefined;
}

/** Stores a refreshed access token next to the refresh token it came from. */
export async function updateDropboxAccessToken(store: SecretStore, accountId: string, accessToken: string, expiresAt: Date): Promise<void> {
  const raw = await store.get(accountId);
  if (raw === undefined) return;
  const parsed = SavedDropboxSignIn.safeParse(JSON.parse(raw));
  if (!parsed.success) return;
  await saveDropboxSignIn(store, accountId, { ...parsed.data, accessToken, expiresAt: expiresAt.getTime() });
}
