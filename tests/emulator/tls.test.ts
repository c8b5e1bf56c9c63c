// HTTPS: with a certificate the emulator serves the same routes over TLS. The self-signed
// certificate is made at test time with openssl; the test skips (saying why) without openssl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { Dropbox } from 'dropbox';
import { startEmulator } from '../../src/emulator/index.js';
import { rewritingFetch } from '../../src/main/core/remote/dropbox/rewriteFetch.js';
import { defer, tempDir, TOKEN } from './support.js';

const hasOpenssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

/** A fetch over node:https that trusts `ca`: Node's built-in fetch cannot be given a CA per call. */
function trustingFetch(ca: Buffer): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = init?.body === undefined || init.body === null ? undefined : Buffer.from(init.body as string | Uint8Array);
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          const data = Buffer.concat(chunks);
          resolve(new Response(data.length > 0 ? data : null, { status: res.statusCode ?? 500, headers }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }) as typeof fetch;
}

test('serves the API over HTTPS with a self-signed certificate', { skip: hasOpenssl ? false : 'openssl is not installed, so no test certificate can be made' }, async (t) => {
  const dir = await tempDir(t);
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const cert = await readFile(certFile);
  const emu = await startEmulator({ accessTokens: [TOKEN], tls: { cert, key: await readFile(keyFile) } });
  defer(t, () => emu.close());
  assert.match(emu.url, /^https:\/\/127\.0\.0\.1:\d+$/);

  const dbx = new Dropbox({ accessToken: TOKEN, fetch: rewritingFetch(emu.url, trustingFetch(cert)) });
  assert.equal((await dbx.usersGetCurrentAccount()).result.account_id, emu.accountId);
  await dbx.filesUpload({ path: '/secure/ü.txt', contents: Buffer.from('over tls') });
  const down = await dbx.filesDownload({ path: '/secure/ü.txt' });
  assert.equal((down.result as unknown as { fileBinary: Buffer }).fileBinary.toString(), 'over tls');
  const listed = await dbx.filesListFolder({ path: '/secure' });
  assert.equal(listed.result.entries.length, 1);

  // Without trusting the certificate, a client refuses the connection.
  await assert.rejects(fetch(`${emu.url}/2/users/get_current_account`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } }));
});
