// Public entry of the state index: import from here, not from the files behind it.
export { StateIndex } from './stateIndex.js';
export type { ActivityAction, ActivityEntry, NewActivity, NewPathError, PathError, RemoteChange, StateIndexOptions } from './stateIndex.js';
export { IndexCorruptError, IndexError } from './errors.js';
