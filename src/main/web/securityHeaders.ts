// Headers sent with every response of the web UI: a strict content security policy (no inline or
// foreign scripts, no framing), no MIME sniffing and no referrer (URLs may carry the session token
// or an OAuth code).

/** Where Dropbox's consent page lives: real Dropbox, or the emulator given with --api-url. */
export const DROPBOX_AUTHORIZE_ORIGIN = 'https://www.dropbox.com';

export function contentSecurityPolicy(authorizeOrigin: string): string {
  return [
    "default-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "base-uri 'none'",
    `form-action 'self' ${authorizeOrigin}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(authorizeOrigin: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(authorizeOrigin),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}
