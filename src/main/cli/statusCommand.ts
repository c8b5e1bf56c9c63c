// `twinfold status --state DIR`: what a folder pair is doing, read from its state folder, so it
// works whether or not the daemon is running.
import { stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { parseFlags, UsageError } from './usage.js';
import { StateIndex } from '../core/index/index.js';
import { statusLine, type EngineStatus } from '../core/engine/status.js';
import { lockOwner } from '../core/stateLock.js';

const HELP = `usage: twinfold status --state DIR [--json]

Shows what the folder pair using the state folder DIR is doing: its state, the last time it
was in sync, per-file errors and recent activity. DIR is <local-dir>/.twinfold unless
\`twinfold sync\` was given another --state.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags('status', argv, {
    state: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.state) throw new UsageError('status: --state DIR is required');
  const stateDir = nodePath.resolve(values.state);
  const dbPath = nodePath.join(stateDir, 'index.sqlite');
  if (!(await stat(dbPath).catch(() => undefined))) throw new UsageError(`status: ${stateDir} holds no Twinfold state (no index.sqlite)`);

  const index = StateIndex.open(dbPath);
  try {
    const owner = await lockOwner(stateDir);
    const pid = owner?.pid;
    const saved = parseStatus(index.getMeta('status'));
    const running = owner !== undefined;
    const state = running ? saved?.state ?? 'starting' : 'stopped';
    const lastSyncedAt = Number(index.getMeta('last_synced_at')) || undefined;
    const errors = index.errors();
    const report = {
      running,
      pid,
      localRoot: index.getMeta('local_root'),
      remoteRoot: index.getMeta('remote_root') ?? '',
      state,
      statusLine: running && saved ? statusLine(saved) : 'Not running',
      message: running ? saved?.message : undefined,
      lastSyncedAt: lastSyncedAt ? new Date(lastSyncedAt).toISOString() : undefined,
      errors: errors.map((e) => ({ path: e.path, title: e.title, message: e.message, attempts: e.attempts, time: new Date(e.time).toISOString() })),
      recentActivity: index.recentActivity(10).map((a) => ({ time: new Date(a.time).toISOString(), action: a.action, path: a.path, size: a.size, detail: a.detail })),
    };
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    console.log(`${report.localRoot ?? '?'} <-> Dropbox:${report.remoteRoot || '/'}`);
    console.log(`state: ${report.statusLine}${running && pid !== undefined ? ` (pid ${pid})` : ''}`);
    console.log(`last synced: ${report.lastSyncedAt ?? 'never'}`);
    if (report.errors.length > 0) {
      console.log(`errors (${report.errors.length}):`);
      for (const e of report.errors) console.log(`  ${e.path}: ${e.message}`);
    }
    if (report.recentActivity.length > 0) {
      console.log('recent activity:');
      for (const a of report.recentActivity) console.log(`  ${a.time}  ${a.action.padEnd(13)} ${a.path}${a.detail ? `  (${a.detail})` : ''}`);
    }
    return 0;
  } finally {
    index.close();
  }
}

function parseStatus(raw: string | undefined): EngineStatus | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as EngineStatus;
  } catch {
    return undefined;
  }
}
