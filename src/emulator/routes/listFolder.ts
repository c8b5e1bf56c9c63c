// list_folder, list_folder/continue, list_folder/get_latest_cursor and list_folder/longpoll.
import { decodeCursor, encodeCursor, type CursorState } from '../cursors.js';
import { nest, RouteError, tag } from '../errors.js';
import { changesSince, checkCursor, DEFAULT_PAGE_LIMIT, initialListing, listedFolderSeq, takePage, type ListedItem } from '../listing.js';
import { waitForNews, type PollStatus } from '../longpoll.js';
import type { Namespace } from '../namespace.js';
import { parsePathArg } from '../pathArgs.js';
import { SCHEMAS, type ListFolderArg } from '../schemas.js';
import { rpc, type Call, type Route } from './types.js';
import { lookupAs } from './wrap.js';

/** Resolves the folder to list and the cursor describing a listing of it at the current head. */
function startCursor(arg: ListFolderArg, { ctx }: Call): CursorState {
  const ns = ctx.ns;
  const pathArg = parsePathArg(arg.path, ctx.account.namespaceId);
  const path = lookupAs('path', () => ns.resolve(pathArg));
  const folderSeq = lookupAs('path', () => listedFolderSeq(ns, path));
  return {
    ns: ns.instanceId,
    epoch: ns.epoch,
    path,
    recursive: arg.recursive,
    includeDeleted: arg.include_deleted,
    pos: 0,
    initialUpTo: ns.head,
    folderSeq,
    limit: arg.limit ?? DEFAULT_PAGE_LIMIT,
  };
}

/** One page of items; the next cursor points after the page (or at the head when it is complete). */
function answer(ns: Namespace, cursor: CursorState, items: ListedItem[]) {
  const { page, hasMore } = takePage(items, cursor.limit);
  const pos = hasMore ? page[page.length - 1]!.seq : ns.head;
  return { entries: page.map((i) => i.meta), cursor: encodeCursor({ ...cursor, pos }), has_more: hasMore };
}

/** A cursor that can be continued, or the route error that says why not. */
function usableCursor(raw: string, ns: Namespace): CursorState {
  const cursor = decodeCursor(raw, ns.instanceId);
  const check = checkCursor(ns, cursor);
  if (check === 'reset') throw new RouteError(tag('reset'));
  if (check === 'folder_gone') throw new RouteError(nest('path', tag('not_found')));
  return cursor;
}

const listFolder = rpc<ListFolderArg>({
  name: 'files/list_folder',
  arg: SCHEMAS.listFolder,
  handle(arg, call) {
    const cursor = startCursor(arg, call);
    const ns = call.ctx.ns;
    return answer(ns, cursor, initialListing(ns, { path: cursor.path, recursive: cursor.recursive }, cursor.includeDeleted));
  },
});

const listFolderContinue = rpc<{ cursor: string }>({
  name: 'files/list_folder/continue',
  arg: SCHEMAS.listFolderContinue,
  handle(arg, { ctx }) {
    const cursor = usableCursor(arg.cursor, ctx.ns);
    return answer(ctx.ns, cursor, changesSince(ctx.ns, cursor));
  },
});

const getLatestCursor = rpc<ListFolderArg>({
  name: 'files/list_folder/get_latest_cursor',
  arg: SCHEMAS.listFolder,
  handle(arg, call) {
    const head = call.ctx.ns.head;
    return { cursor: encodeCursor({ ...startCursor(arg, call), pos: head }) };
  },
});

const longpoll = rpc<{ cursor: string; timeout: number }>({
  name: 'files/list_folder/longpoll',
  auth: 'noauth',
  arg: SCHEMAS.listFolderLongpoll,
  async handle(arg, { ctx, signal }) {
    const ns = ctx.ns;
    const cursor = decodeCursor(arg.cursor, ns.instanceId);
    const status = (): PollStatus => {
      const check = checkCursor(ns, cursor);
      if (check === 'reset') return 'reset';
      // A vanished folder is news: continue then reports the error.
      if (check === 'folder_gone') return 'changes';
      return changesSince(ns, cursor).length > 0 ? 'changes' : 'none';
    };
    const { secondMs, jitterMs, backoffSec } = ctx.longpoll;
    const waitMs = arg.timeout * secondMs + Math.random() * jitterMs;
    const first = status();
    const outcome = first !== 'none' ? first : await ctx.heldLongpolls.hold(() => waitForNews(ns, status, waitMs, signal));
    if (outcome === 'reset') throw new RouteError(tag('reset'));
    return { changes: outcome === 'changes', ...(backoffSec !== undefined ? { backoff: backoffSec } : {}) };
  },
});

export const listFolderRoutes: Route[] = [listFolder, listFolderContinue, getLatestCursor, longpoll];
