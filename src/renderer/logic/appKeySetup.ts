// What someone creating their own Dropbox app needs to know (shown only when the build carries no
// app key): where the App Console is and the exact redirect URIs to register for this host.

export const DROPBOX_APP_CONSOLE_URL = 'https://www.dropbox.com/developers/apps';
/** The desktop app's loopback sign-in port (DROPBOX_LOOPBACK_PORT on the main side). */
export const DESKTOP_LOOPBACK_PORT = 53682;

/** Redirect URIs Dropbox must know, matched exactly; the web UI's depend on the port it is served on. */
export function redirectUrisToRegister(hostKind: 'electron' | 'web', pagePort: string): string[] {
  if (hostKind === 'electron') return [`http://127.0.0.1:${DESKTOP_LOOPBACK_PORT}/`];
  const port = pagePort === '' ? '80' : pagePort;
  return [`http://127.0.0.1:${port}/oauth/callback`, `http://localhost:${port}/oauth/callback`];
}
