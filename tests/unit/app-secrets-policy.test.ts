// When safeStorage may back the encrypted token file: never when unavailable, never Linux's basic_text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeStorageUsable, type SafeStorageFacts } from '../../src/main/app/safeStoragePolicy.js';

test('safeStorage usable only when it really encrypts', () => {
  const cases: Array<[SafeStorageFacts, boolean]> = [
    [{ platform: 'darwin', isEncryptionAvailable: true }, true],
    [{ platform: 'win32', isEncryptionAvailable: true }, true],
    [{ platform: 'win32', isEncryptionAvailable: false }, false],
    [{ platform: 'linux', isEncryptionAvailable: true, linuxBackend: 'gnome_libsecret' }, true],
    [{ platform: 'linux', isEncryptionAvailable: true, linuxBackend: 'kwallet6' }, true],
    [{ platform: 'linux', isEncryptionAvailable: true, linuxBackend: 'basic_text' }, false],
    [{ platform: 'linux', isEncryptionAvailable: true, linuxBackend: 'unknown' }, false],
    [{ platform: 'linux', isEncryptionAvailable: true }, false],
    [{ platform: 'linux', isEncryptionAvailable: false, linuxBackend: 'gnome_libsecret' }, false],
  ];
  for (const [facts, expected] of cases) assert.equal(safeStorageUsable(facts), expected, JSON.stringify(facts));
});
