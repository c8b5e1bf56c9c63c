// The local side of `twinfold demo`: a folder with a few sample files, created when missing.
// An existing folder is used only when it is empty; anything else is refused, so the demo never
// mixes its samples into (or syncs away) files the user already had there.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SetupError } from './setupError.js';

export const SAMPLE_FILES: Readonly<Record<string, string>> = {
  'Welcome.txt': 'Welcome to the Twinfold demo.\n\nThis folder is kept identical with /Demo on the demo Dropbox.\n' +
    'Drop a file here and watch it appear there; upload one there and it appears here.\n',
  'Notes/ideas.md': '# Ideas\n\n- Edit this file and save it: the change syncs in a moment.\n',
  'Notes/todo.txt': 'Try renaming this file on the demo Dropbox page.\n',
};

/** Creates `folder` with the sample files when it is missing or empty; refuses anything else. */
export async function prepareDemoFolder(folder: string): Promise<void> {
  const entries = await readdir(folder).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new SetupError(`demo: cannot read the demo folder ${folder}: ${err.message}`);
  });
  if (entries !== undefined && entries.length > 0) {
    throw new SetupError(`demo: ${folder} already exists and is not empty; the demo uses only a new or empty folder. Choose another with --folder DIR`);
  }
  for (const [relative, text] of Object.entries(SAMPLE_FILES)) {
    const file = nodePath.join(folder, ...relative.split('/'));
    await mkdir(nodePath.dirname(file), { recursive: true });
    await writeFile(file, text, { flag: 'wx' });
  }
}
