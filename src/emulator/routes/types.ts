// The shape of a route: its Dropbox style, auth, argument type and handler. Handlers return the
// result JSON (or a download) and throw RouteError / BadRequestError for the server to render.
import type { EmulatorContext } from '../context.js';
import type { Schema } from '../validate.js';

export interface Call {
  ctx: EmulatorContext;
  /** The bearer token of the call (routes with user auth). */
  token: string | undefined;
  /** Aborted when the client goes away or the emulator closes. */
  signal: AbortSignal;
}

export interface DownloadResult {
  /** The result JSON, sent in the Dropbox-API-Result header. */
  result: Record<string, unknown>;
  content: Buffer;
  /** The file's rev, for the ETag. */
  rev: string;
}

interface RouteBase {
  /** The route as it appears after /2/, e.g. files/list_folder/continue. */
  name: string;
  /** Changes state that must be on disk before the answer goes out. */
  mutates?: boolean;
}

export interface RpcRoute extends RouteBase {
  style: 'rpc';
  auth: 'user' | 'noauth';
  /** null: the route takes Void (no body, or `null`). */
  arg: Schema | null;
  handle(arg: unknown, call: Call): unknown;
}

export interface UploadRoute extends RouteBase {
  style: 'upload';
  arg: Schema;
  handle(arg: unknown, body: Buffer, call: Call): unknown;
}

export interface DownloadRoute extends RouteBase {
  style: 'download';
  arg: Schema;
  handle(arg: unknown, call: Call): Promise<DownloadResult>;
}

export type Route = RpcRoute | UploadRoute | DownloadRoute;

// Typed constructors: the handler sees the validated argument's shape.
export function rpc<A>(route: Omit<RpcRoute, 'style' | 'handle' | 'auth'> & { auth?: 'user' | 'noauth'; handle(arg: A, call: Call): unknown }): RpcRoute {
  return { style: 'rpc', auth: 'user', ...route, handle: route.handle as RpcRoute['handle'] };
}

export function upload<A>(route: Omit<UploadRoute, 'style' | 'handle'> & { handle(arg: A, body: Buffer, call: Call): unknown }): UploadRoute {
  return { style: 'upload', ...route, handle: route.handle as UploadRoute['handle'] };
}

export function download<A>(route: Omit<DownloadRoute, 'style' | 'handle'> & { handle(arg: A, call: Call): Promise<DownloadResult> }): DownloadRoute {
  return { style: 'download', ...route, handle: route.handle as DownloadRoute['handle'] };
}
