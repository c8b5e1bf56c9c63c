// Start at login on Linux: the autostart entry in a temp XDG_CONFIG_HOME, its Exec quoting, atomic
// writes and respect for an entry the user wrote themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  AutostartError, autostartDir, desktopEntry, entryEnabled, execLine, launchCommand, parseDesktopEntry, quoteExecArg, XdgAutostart,
} from '../../src/main/service/autostart/xdgAutostart.js';
import { tempDirPerFile } from '../helpers/tempDir.js';

const fresh = tempDirPerFile('autostart');

function freshConfig(): string {
  return fresh('cfg');
}

/** Undoes the Exec escaping the way a desktop session does: string escapes, then the quoting rule. */
function unescapeExec(value: string): string[] {
  const unstring = value.replace(/\\(.)/g, (_, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
  const args: string[] = [];
  let i = 0;
  while (i < unstring.length) {
    if (unstring[i] === ' ') { i++; continue; }
    let arg = '';
    if (unstring[i] === '"') {
      i++;
      while (unstring[i] !== '"') {
        if (unstring[i] === '\\') i++;
        arg += unstring[i];
        i++;
      }
      i++;
    } else {
      while (i < unstring.length && unstring[i] !== ' ') arg += unstring[i++];
    }
    args.push(arg.replace(/%%/g, '%'));
  }
  return args;
}

test('autostart folder follows XDG_CONFIG_HOME only when it is absolute', () => {
  const cases: Array<[NodeJS.ProcessEnv, string]> = [
    [{}, '/home/ann/.config/autostart'],
    [{ XDG_CONFIG_HOME: '' }, '/home/ann/.config/autostart'],
    [{ XDG_CONFIG_HOME: 'relative/cfg' }, '/home/ann/.config/autostart'],
    [{ XDG_CONFIG_HOME: '/srv/cfg' }, '/srv/cfg/autostart'],
  ];
  for (const [env, expected] of cases) assert.equal(autostartDir(env, '/home/ann'), expected, JSON.stringify(env));
});

test('launch command: AppImage, packaged binary, development', () => {
  const cases: Array<[Parameters<typeof launchCommand>[0], string[]]> = [
    [{ execPath: '/tmp/.mount_Twin/twinfold', appPath: '/x', isPackaged: true, env: { APPIMAGE: '/home/ann/Apps/Twinfold 1.0.AppImage' } }, ['/home/ann/Apps/Twinfold 1.0.AppImage']],
    [{ execPath: '/opt/Twinfold/twinfold', appPath: '/opt/Twinfold/resources/app.asar', isPackaged: true, env: {} }, ['/opt/Twinfold/twinfold']],
    [{ execPath: '/w/node_modules/electron/dist/electron', appPath: '/w', isPackaged: false, env: {} }, ['/w/node_modules/electron/dist/electron', '/w']],
    [{ execPath: '/opt/t', appPath: '/a', isPackaged: true, env: { APPIMAGE: 'not/absolute' } }, ['/opt/t']],
  ];
  for (const [opts, expected] of cases) assert.deepEqual(launchCommand(opts), expected);
});

test('Exec quoting per the Desktop Entry spec', () => {
  const cases: Array<[string, string]> = [
    ['/opt/Twinfold/twinfold', '/opt/Twinfold/twinfold'],
    ['/home/ann/My Apps/Twinfold.AppImage', '"/home/ann/My Apps/Twinfold.AppImage"'],
    ['/a/100%/x', '/a/100%%/x'],
    ['/a/$HOME', '"/a/\\\\$HOME"'],
    ['C:\\x', '"C:\\\\\\\\x"'],
    ['say "hi"', '"say \\\\"hi\\\\""'],
    ['', '""'],
  ];
  for (const [arg, expected] of cases) assert.equal(quoteExecArg(arg), expected, arg);
  for (const argv of [['/home/ann/My Apps/T w.AppImage', '--hidden'], ['/a/$x`y`/100%', 'b\\c', '"q"', "it's"]]) {
    assert.deepEqual(unescapeExec(execLine(argv)), argv, 'round trip');
  }
  assert.throws(() => quoteExecArg('/a\nb'), AutostartError);
  assert.throws(() => execLine([]), AutostartError);
});

test('enable writes the entry; disable removes it', async () => {
  const env = { XDG_CONFIG_HOME: freshConfig() };
  const auto = new XdgAutostart({ command: ['/home/ann/My Apps/Twinfold.AppImage'], env });
  assert.equal(auto.file, path.join(env.XDG_CONFIG_HOME, 'autostart', 'twinfold.desktop'));
  assert.equal(await auto.isEnabled(), false);
  await auto.setEnabled(true);
  assert.equal(await auto.isEnabled(), true);
  const text = await fs.readFile(auto.file, 'utf8');
  const keys = parseDesktopEntry(text);
  assert.equal(keys.get('Type'), 'Application');
  assert.equal(keys.get('Name'), 'Twinfold');
  assert.equal(keys.get('X-GNOME-Autostart-enabled'), 'true');
  assert.equal(keys.get('Hidden'), 'false');
  assert.deepEqual(unescapeExec(keys.get('Exec') ?? ''), ['/home/ann/My Apps/Twinfold.AppImage', '--hidden']);
  assert.deepEqual(await fs.readdir(path.dirname(auto.file)), ['twinfold.desktop'], 'no temp file left behind');
  await auto.setEnabled(true); // idempotent
  await auto.setEnabled(false);
  assert.equal(await auto.isEnabled(), false);
  await assert.rejects(fs.stat(auto.file), { code: 'ENOENT' });
  await auto.setEnabled(false); // nothing to remove: fine
});

test('an entry of ours with an old command (AppImage moved) is rewritten', async () => {
  const env = { XDG_CONFIG_HOME: freshConfig() };
  await new XdgAutostart({ command: ['/old/Twinfold.AppImage'], env }).setEnabled(true);
  const now = new XdgAutostart({ command: ['/new/Twinfold.AppImage'], env });
  await now.setEnabled(true);
  assert.equal(await fs.readFile(now.file, 'utf8'), desktopEntry(['/new/Twinfold.AppImage']));
});

test("the user's own entry is respected", async () => {
  const env = { XDG_CONFIG_HOME: freshConfig() };
  const auto = new XdgAutostart({ command: ['/opt/twinfold'], env });
  await fs.mkdir(path.dirname(auto.file), { recursive: true });
  const theirs = '# mine\n[Desktop Entry]\nType=Application\nName=Twinfold (mine)\nExec=env FOO=1 /opt/twinfold --hidden\n\n[Desktop Action x]\nName=X\n';
  await fs.writeFile(auto.file, theirs);
  assert.equal(await auto.isEnabled(), true);
  await auto.setEnabled(true);
  assert.equal(await fs.readFile(auto.file, 'utf8'), theirs, 'enabled already: untouched');
  await auto.setEnabled(false);
  const off = await fs.readFile(auto.file, 'utf8');
  assert.equal(await auto.isEnabled(), false);
  assert.ok(off.includes('Exec=env FOO=1 /opt/twinfold --hidden') && off.includes('[Desktop Action x]'), 'their lines are kept');
  assert.equal(parseDesktopEntry(off).get('Hidden'), 'true');
  assert.ok(off.indexOf('Hidden=true') < off.indexOf('[Desktop Action x]'), 'the key lands in the main group');
  await auto.setEnabled(true);
  const on = await fs.readFile(auto.file, 'utf8');
  assert.equal(await auto.isEnabled(), true);
  assert.ok(on.includes('Name=Twinfold (mine)'), 'switched back on in place, not replaced');
});

test('disabled entries by either switch count as off', () => {
  const cases: Array<[string, boolean]> = [
    ['[Desktop Entry]\nExec=x', true],
    ['[Desktop Entry]\nHidden=true\nExec=x', false],
    ['[Desktop Entry]\nX-GNOME-Autostart-enabled=false', false],
    ['[Other]\nHidden=true\n[Desktop Entry]\nExec=x', true],
  ];
  for (const [text, expected] of cases) assert.equal(entryEnabled(parseDesktopEntry(text)), expected, text);
});

test('a GNOME-disabled user entry is switched back on with both keys', async () => {
  const env = { XDG_CONFIG_HOME: freshConfig() };
  const auto = new XdgAutostart({ command: ['/opt/twinfold'], env });
  await fs.mkdir(path.dirname(auto.file), { recursive: true });
  await fs.writeFile(auto.file, '[Desktop Entry]\nType=Application\nExec=/opt/twinfold\nX-GNOME-Autostart-enabled=false\n');
  await auto.setEnabled(true);
  assert.equal(await auto.isEnabled(), true);
});

test('an unreadable autostart path gives a clear error', async () => {
  const env = { XDG_CONFIG_HOME: freshConfig() };
  const auto = new XdgAutostart({ command: ['/opt/twinfold'], env });
  await fs.mkdir(auto.file, { recursive: true }); // a folder where the file should be
  await assert.rejects(auto.isEnabled(), (err: unknown) => err instanceof AutostartError && err.message.includes(auto.file));
});
