// The secret that guards the web UI: one random token per state folder (kept by sessionTokenFile.ts),
// handed to the user in the printed URL, swapped for an HttpOnly cookie on first use, compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Cookies are scoped by host, not by port: the name carries the port so two `twinfold serve` runs
 * on one machine keep separate sessions. (Any other server on 127.0.0.1 the browser visits still
 * receives it; see the security model in README.md.)
 */
export function sessionCookieName(port: number): string {
  return `twinfold_session_${port}`;
}

/** 32 random bytes, base64url: URL- and cookie-safe, 43 characters. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A token given by the caller must be as safe to put into a URL and a cookie as a generated one. */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{32,256}$/.test(token);
}

/** Constant-time equality; hashing first makes the comparison independent of the lengths too. */
export function tokensEqual(candidate: string, expected: string): boolean {
  const a = createHash('sha256').update(candidate).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Every value of the named cookie (a browser may send several with different paths). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/** The token of an `Authorization: Bearer <token>` header, for scripts. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9_-]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * HttpOnly: page scripts never see it. SameSite=Strict: no cross-site request carries it (the CSRF
 * defence, with the custom request header). No Secure: plain http on loopback cannot set it.
 */
export function sessionCookieHeader(token: string, port: number): string {
  return `${sessionCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** True when the request carries the token in the session cookie or as a bearer token. */
export function hasSession(headers: { cookie?: string; authorization?: string }, token: string, port: number): boolean {
  const bearer = bearerToken(headers.authorization);
  if (bearer !== undefined && tokensEqual(bearer, token)) return true;
  return cookieValues(headers.cookie, sessionCookieName(port)).some((value) => tokensEqual(value, token));
}
