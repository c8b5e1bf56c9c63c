// The single emulated account: its identifiers (kept across restarts with --data) and the
// FullAccount JSON users/get_current_account returns.
import { randomBytes, randomInt } from 'node:crypto';

export interface AccountIdentity {
  /** `dbid:` plus 35 characters: exactly 40, as users_common.AccountId requires. */
  accountId: string;
  namespaceId: string;
}

export function newAccountIdentity(): AccountIdentity {
  const accountId = `dbid:AA${randomBytes(33).toString('base64url').slice(0, 33)}`;
  return { accountId, namespaceId: String(randomInt(1_000_000_000, 9_999_999_999)) };
}

export function isAccountIdentity(value: unknown): value is AccountIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const { accountId, namespaceId } = value as Record<string, unknown>;
  return typeof accountId === 'string' && /^dbid:[A-Za-z0-9_-]{35}$/.test(accountId) && typeof namespaceId === 'string' && /^\d+$/.test(namespaceId);
}

export function fullAccount(identity: AccountIdentity): Record<string, unknown> {
  return {
    account_id: identity.accountId,
    name: {
      given_name: 'Emma',
      surname: 'Ulator',
      familiar_name: 'Emma',
      display_name: 'Emma Ulator',
      abbreviated_name: 'EU',
    },
    email: 'emma.ulator@example.com',
    email_verified: true,
    disabled: false,
    country: 'US',
    locale: 'en',
    referral_link: 'https://db.tt/emulator',
    is_paired: false,
    account_type: { '.tag': 'basic' },
    root_info: { '.tag': 'user', root_namespace_id: identity.namespaceId, home_namespace_id: identity.namespaceId },
  };
}
