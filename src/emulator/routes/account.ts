// users/get_current_account and auth/token/revoke.
import { fullAccount } from '../account.js';
import { rpc, type Route } from './types.js';

const getCurrentAccount = rpc({
  name: 'users/get_current_account',
  arg: null,
  handle: (_arg, { ctx }) => fullAccount(ctx.account),
});

const revokeToken = rpc({
  name: 'auth/token/revoke',
  arg: null,
  mutates: true,
  handle(_arg, { ctx, token }) {
    if (token !== undefined) ctx.tokens.revokeAccessToken(token);
    return null;
  },
});

export const accountRoutes: Route[] = [getCurrentAccount, revokeToken];
