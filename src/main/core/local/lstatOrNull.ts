// lstat that answers null for a path that does not exist, and throws for anything else.
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';

export async function lstatOrNull(absPath: string): Promise<Stats | null> {
  try {
    return await lstat(absPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
