// Metadata and tree routes: get_metadata, create_folder_v2, delete_v2, delete_batch(+check), move_v2.
import { RouteError, tag } from '../errors.js';
import { parsePathArg } from '../pathArgs.js';
import { SCHEMAS, type DeleteArg, type MoveArg } from '../schemas.js';
import { rpc, type Call, type Route } from './types.js';
import { lookupAs, writeAs } from './wrap.js';

const getMetadata = rpc<{ path: string; include_deleted: boolean }>({
  name: 'files/get_metadata',
  arg: SCHEMAS.getMetadata,
  handle(arg, { ctx }) {
    const path = parsePathArg(arg.path, ctx.account.namespaceId);
    return lookupAs('path', () => ctx.ns.getMetadata(path, arg.include_deleted));
  },
});

const createFolder = rpc<{ path: string; autorename: boolean }>({
  name: 'files/create_folder_v2',
  arg: SCHEMAS.createFolderV2,
  mutates: true,
  handle(arg, { ctx }) {
    const path = parsePathArg(arg.path, ctx.account.namespaceId);
    return { metadata: writeAs('path', () => ctx.ns.createFolder(path, arg.autorename)) };
  },
});

const deleteV2 = rpc<DeleteArg>({
  name: 'files/delete_v2',
  arg: SCHEMAS.deleteV2,
  mutates: true,
  handle(arg, { ctx }) {
    const path = parsePathArg(arg.path, ctx.account.namespaceId);
    return { metadata: ctx.ns.delete(path, arg.parent_rev) };
  },
});

/** Runs every entry (failures do not stop the batch) and keeps the result for delete_batch/check. */
function runDeleteBatch(entries: DeleteArg[], { ctx }: Call): unknown {
  // Malformed arguments fail the whole call with a 400 before anything is deleted.
  const paths = entries.map((e) => parsePathArg(e.path, ctx.account.namespaceId));
  const results = entries.map((entry, i) => {
    try {
      return { '.tag': 'success', metadata: ctx.ns.delete(paths[i]!, entry.parent_rev) };
    } catch (err) {
      if (err instanceof RouteError) return { '.tag': 'failure', failure: err.error };
      throw err;
    }
  });
  return tag('async_job_id', { async_job_id: ctx.jobs.add(tag('complete', { entries: results })) });
}

const deleteBatch = rpc<{ entries: DeleteArg[] }>({
  name: 'files/delete_batch',
  arg: SCHEMAS.deleteBatch,
  mutates: true,
  handle: (arg, call) => runDeleteBatch(arg.entries, call),
});

const deleteBatchCheck = rpc<{ async_job_id: string }>({
  name: 'files/delete_batch/check',
  arg: SCHEMAS.poll,
  handle: (arg, { ctx }) => ctx.jobs.get(arg.async_job_id),
});

const moveV2 = rpc<MoveArg>({
  name: 'files/move_v2',
  arg: SCHEMAS.moveV2,
  mutates: true,
  handle(arg, { ctx }) {
    const from = parsePathArg(arg.from_path, ctx.account.namespaceId);
    const to = parsePathArg(arg.to_path, ctx.account.namespaceId);
    return { metadata: ctx.ns.move(from, to, arg.autorename) };
  },
});

export const fileRoutes: Route[] = [getMetadata, createFolder, deleteV2, deleteBatch, deleteBatchCheck, moveV2];
