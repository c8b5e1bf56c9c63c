// Reading and writing a pair's `.twinfoldignore`. A write goes to a temp file in the folder's own
// `.twinfold/tmp` (same file system, never scanned), is flushed, then renamed over the old file,
// so the engine and other devices only ever see the old rules or the new ones.
import { mkdir, readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { IGNORE_FILE_NAME, STATE_DIR_NAME } from '../../core/local/ignore.js';
import { TEMP_DIR_NAME } from '../../core/local/atomicWrite.js';
import { replaceFile } from '../../core/local/replaceFile.js';
import { CallFailure } from '../types.js';

/** The contract allows 256 KiB of text; rules are short lines, so more is a mistake. */
export const MAX_IGNORE_BYTES = 256 * 1024;

export async function readIgnoreFile(localRoot: string): Promise<string> {
  try {
    return await readFile(nodePath.join(localRoot, IGNORE_FILE_NAME), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new CallFailure('unavailable', `Cannot read ${IGNORE_FILE_NAME} in ${localRoot}: ${(err as Error).message}`);
  }
}

export async function writeIgnoreFile(localRoot: string, text: string): Promise<void> {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_IGNORE_BYTES) throw new CallFailure('bad_request', `The ignore rules are ${bytes} bytes; at most ${MAX_IGNORE_BYTES} are allowed.`);
  if (text.includes('\0')) throw new CallFailure('bad_request', 'The ignore rules must be plain text (they contain a NUL character).');
  const tempDir = nodePath.join(localRoot, STATE_DIR_NAME, TEMP_DIR_NAME);
  await mkdir(tempDir, { recursive: true });
  try {
    await replaceFile(nodePath.join(localRoot, IGNORE_FILE_NAME), text, { mode: 0o644, tempDir });
  } catch (err) {
    throw new CallFailure('unavailable', `Cannot save ${IGNORE_FILE_NAME} in ${localRoot}: ${(err as Error).message}`);
  }
}
