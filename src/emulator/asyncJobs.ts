// Results of the "asynchronous" batch routes (delete_batch, upload_session/finish_batch). The
// emulator does the work at once and keeps the result until the client polls /check for it.
import { randomBytes } from 'node:crypto';
import { RouteError, tag } from './errors.js';

const MAX_JOBS = 1000;

export class AsyncJobs {
  private readonly results = new Map<string, unknown>();

  /** Stores a finished job's `complete` value and returns its async_job_id. */
  add(complete: unknown): string {
    const id = `dbjid:${randomBytes(33).toString('base64url')}`;
    this.results.set(id, complete);
    if (this.results.size > MAX_JOBS) this.results.delete(this.results.keys().next().value!);
    return id;
  }

  /** The job's result, or the PollError `invalid_async_job_id`. */
  get(id: string): unknown {
    if (!this.results.has(id)) throw new RouteError(tag('invalid_async_job_id'));
    return this.results.get(id);
  }
}
