// Errors raised by the state index. Both are fatal for a folder pair: the engine stops and the
// UI tells the user, instead of syncing against a merge base it cannot trust.

/** The index cannot be used: written by a newer Twinfold, unreadable, locked, or misused. */
export class IndexError extends Error {
  override name = 'IndexError';
}

/** The index file is not a SQLite database or fails its integrity check. Nothing was written to it. */
export class IndexCorruptError extends IndexError {
  override name = 'IndexCorruptError';
  constructor(
    readonly dbPath: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`the sync index at ${dbPath} is corrupt (${detail}); move it away to let Twinfold rebuild it`, options);
  }
}
