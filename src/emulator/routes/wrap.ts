// Puts the namespace's LookupError/WriteError reasons into the error union of the calling route.
import { LookupFailure, nest, RouteError, WriteFailure } from '../errors.js';

/** Runs `fn`; a LookupFailure becomes the route error `{".tag": member, member: reason}`. */
export function lookupAs<T>(member: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof LookupFailure) throw new RouteError(nest(member, err.reason));
    throw err;
  }
}

/** Runs `fn`; a WriteFailure becomes the route error `{".tag": member, member: reason}`. */
export function writeAs<T>(member: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WriteFailure) throw new RouteError(nest(member, err.reason));
    throw err;
  }
}
