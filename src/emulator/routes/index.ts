// Every emulated route, by the name that follows /2/ in its URL.
import { accountRoutes } from './account.js';
import { downloadRoutes } from './download.js';
import { fileRoutes } from './files.js';
import { listFolderRoutes } from './listFolder.js';
import type { Route } from './types.js';
import { uploadRoutes } from './upload.js';

export const ROUTES: ReadonlyMap<string, Route> = new Map(
  [...listFolderRoutes, ...uploadRoutes, ...downloadRoutes, ...fileRoutes, ...accountRoutes].map((r) => [r.name, r]),
);
