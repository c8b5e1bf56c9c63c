// files/download: a file's bytes by path, id or rev, with its FileMetadata as the result.
import { nest, RouteError, tag } from '../errors.js';
import { fileMetadata } from '../metadata.js';
import { parsePathArg } from '../pathArgs.js';
import { SCHEMAS } from '../schemas.js';
import { download, type Route } from './types.js';
import { lookupAs } from './wrap.js';

const downloadFile = download<{ path: string; rev?: string }>({
  name: 'files/download',
  arg: SCHEMAS.download,
  async handle(arg, { ctx }) {
    const path = parsePathArg(arg.path, ctx.account.namespaceId);
    // The deprecated `rev` field asks for that revision of the file at `path`.
    const rev = path.kind === 'rev' ? path.rev : arg.rev;
    if (rev !== undefined) {
      const revision = ctx.ns.revision(rev);
      if (!revision) throw new RouteError(nest('path', tag('not_found')));
      const result = fileMetadata(revision, revision.pathLower, revision.pathDisplay);
      return { result, content: await ctx.blobs.get(revision.contentHash), rev };
    }
    const key = lookupAs('path', () => ctx.ns.resolve(path));
    const entry = ctx.ns.entry(key);
    if (!entry || entry.kind !== 'file') throw new RouteError(nest('path', tag('not_file')));
    const result = ctx.ns.fileMetadata(key);
    return { result, content: await ctx.blobs.get(entry.contentHash), rev: entry.rev };
  },
});

export const downloadRoutes: Route[] = [downloadFile];
