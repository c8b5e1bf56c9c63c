// Argument types of the emulated routes, transcribed from the official Stone spec (files.stone,
// async.stone). Patterns are copied exactly because Dropbox quotes them in its 400 messages.
import { any, bool, list, optional, required, str, struct, timestamp, uint, UINT64_MAX, union, withDefault, type Schema } from './validate.js';

export const PATTERNS = {
  pathROrId: '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/(.|[\\r\\n])*)?)',
  readPath: '(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/(.|[\\r\\n])*)?)',
  writePath: '(/(.|[\\r\\n])*)|(ns:[0-9]+(/(.|[\\r\\n])*)?)',
  writePathOrId: '(/(.|[\\r\\n])*)|(ns:[0-9]+(/(.|[\\r\\n])*)?)|(id:.*)',
} as const;

const rev = str({ pattern: '[0-9a-f]+', minLength: 9 });
const sha256Hex = str({ minLength: 64, maxLength: 64 });
const writePathOrId = str({ pattern: PATTERNS.writePathOrId });

const writeMode = union({ add: null, overwrite: null, update: rev });

const commitInfoFields = {
  path: required(writePathOrId),
  mode: withDefault(writeMode, { '.tag': 'add' }),
  autorename: withDefault(bool, false),
  client_modified: optional(timestamp),
  mute: withDefault(bool, false),
  property_groups: optional(any),
  strict_conflict: withDefault(bool, false),
};
export const commitInfo = struct(commitInfoFields);

const uploadSessionCursor = struct({
  session_id: required(str()),
  offset: required(uint(0, UINT64_MAX)),
});

const finishArg = struct({
  cursor: required(uploadSessionCursor),
  commit: required(commitInfo),
  content_hash: optional(sha256Hex),
});

const deleteArg = struct({
  path: required(writePathOrId),
  parent_rev: optional(rev),
});

const listFolderFields = {
  path: required(str({ pattern: PATTERNS.pathROrId })),
  recursive: withDefault(bool, false),
  include_media_info: withDefault(bool, false),
  include_deleted: withDefault(bool, false),
  include_has_explicit_shared_members: withDefault(bool, false),
  include_mounted_folders: withDefault(bool, true),
  limit: optional(uint(1, 2000)),
  shared_link: optional(any),
  include_property_groups: optional(any),
  include_non_downloadable_files: withDefault(bool, true),
  include_restorable_info: withDefault(bool, false),
};

const pollArg = struct({ async_job_id: required(str({ minLength: 1 })) });

export const SCHEMAS = {
  listFolder: struct(listFolderFields),
  listFolderContinue: struct({ cursor: required(str({ minLength: 1 })) }),
  listFolderLongpoll: struct({
    cursor: required(str({ minLength: 1 })),
    timeout: withDefault(uint(30, 480), 30),
  }),
  upload: struct({ ...commitInfoFields, content_hash: optional(sha256Hex) }),
  uploadSessionStart: struct({
    close: withDefault(bool, false),
    session_type: optional(union({ sequential: null, concurrent: null })),
    content_hash: optional(sha256Hex),
  }),
  uploadSessionAppend: uploadSessionCursor,
  uploadSessionAppendV2: struct({
    cursor: required(uploadSessionCursor),
    close: withDefault(bool, false),
    content_hash: optional(sha256Hex),
  }),
  uploadSessionFinish: finishArg,
  uploadSessionFinishBatch: struct({ entries: required(list(finishArg, { maxItems: 1000 })) }),
  poll: pollArg,
  download: struct({
    path: required(str({ pattern: PATTERNS.readPath })),
    rev: optional(rev),
  }),
  getMetadata: struct({
    path: required(str({ pattern: PATTERNS.readPath })),
    include_media_info: withDefault(bool, false),
    include_deleted: withDefault(bool, false),
    include_has_explicit_shared_members: withDefault(bool, false),
    include_property_groups: optional(any),
  }),
  deleteV2: deleteArg,
  deleteBatch: struct({ entries: required(list(deleteArg, { maxItems: 1000 })) }),
  moveV2: struct({
    from_path: required(writePathOrId),
    to_path: required(writePathOrId),
    allow_shared_folder: withDefault(bool, false),
    autorename: withDefault(bool, false),
    allow_ownership_transfer: withDefault(bool, false),
  }),
  createFolderV2: struct({
    path: required(str({ pattern: PATTERNS.writePath })),
    autorename: withDefault(bool, false),
  }),
} satisfies Record<string, Schema>;

// The validated shapes (defaults filled in) as the route handlers see them.
export type WriteModeArg = { '.tag': 'add' } | { '.tag': 'overwrite' } | { '.tag': 'update'; update: string };
export interface CommitInfoArg { path: string; mode: WriteModeArg; autorename: boolean; client_modified?: string; mute: boolean; strict_conflict: boolean }
export interface UploadArg extends CommitInfoArg { content_hash?: string }
export interface SessionCursorArg { session_id: string; offset: number }
export interface SessionStartArg { close: boolean; session_type?: { '.tag': 'sequential' | 'concurrent' }; content_hash?: string }
export interface SessionAppendArg { cursor: SessionCursorArg; close: boolean; content_hash?: string }
export interface SessionFinishArg { cursor: SessionCursorArg; commit: CommitInfoArg; content_hash?: string }
export interface ListFolderArg { path: string; recursive: boolean; include_deleted: boolean; limit?: number }
export interface DeleteArg { path: string; parent_rev?: string }
export interface MoveArg { from_path: string; to_path: string; autorename: boolean }
