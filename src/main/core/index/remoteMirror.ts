// The mirror of the remote tree as the planner may see it, plus the remote entries it must not
// see: twins of a kept entry (same key apart from case or Unicode form, which Dropbox or a lying
// server keeps apart), names this computer cannot hold, and entries the provider could not use.
// Held entries are never downloaded, and their keys are never read as deleted; they are shown
// to the user as per-item problems until they go away, when what they blocked syncs normally.
import type { Database } from 'better-sqlite3';
import { assertNever, type PathKey, type RemoteItem } from '../engine/model.js';
import type { RemoteChange } from '../remote/provider.js';
import { describeNameProblem, localPathProblem } from '../local/namePolicy.js';
import { belowBounds } from './keys.js';
import type { TreeTable } from './treeTable.js';

export type HeldReason = 'collision' | 'name' | 'refused';

export interface HeldEntry {
  key: PathKey;
  /** The provider's own identity of the path (Dropbox's path_lower). */
  providerKey: string;
  path: string;
  reason: HeldReason;
  /** For people: what is wrong and what to do. */
  message: string;
  time: number;
}

interface HeldRow extends HeldEntry {
  seq: number;
  item: string | null;
}

/** Adds an activity entry (the index's log) for a newly held entry. */
export type ReportHeld = (entry: HeldEntry) => void;

function prepare(db: Database) {
  return {
    providerKeyAt: db.prepare<[PathKey], string | null>('SELECT provider_key FROM remote WHERE key = ?').pluck(),
    setProviderKey: db.prepare<[string | null, PathKey]>('UPDATE remote SET provider_key = ? WHERE key = ?'),
    heldByProviderKey: db.prepare<[string], HeldRow>('SELECT seq, provider_key AS providerKey, key, path, reason, message, time, item FROM remote_held WHERE provider_key = ?'),
    heldAtOrBelowKey: db.prepare<[PathKey, string, string], HeldRow>(
      'SELECT seq, provider_key AS providerKey, key, path, reason, message, time, item FROM remote_held WHERE key = ? OR (key > ? AND key < ?) ORDER BY seq',
    ),
    allHeld: db.prepare<[], HeldRow>('SELECT seq, provider_key AS providerKey, key, path, reason, message, time, item FROM remote_held ORDER BY key, seq'),
    insertHeld: db.prepare<[string, PathKey, string, HeldReason, string, number, string | null]>(
      'INSERT OR REPLACE INTO remote_held (provider_key, key, path, reason, message, time, item) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deleteHeldAtOrBelow: db.prepare<[string, string, string]>('DELETE FROM remote_held WHERE provider_key = ? OR (provider_key > ? AND provider_key < ?)'),
    deleteHeldBelow: db.prepare<[string, string]>('DELETE FROM remote_held WHERE provider_key > ? AND provider_key < ?'),
    deleteHeldSeq: db.prepare<[number]>('DELETE FROM remote_held WHERE seq = ?'),
    clearHeld: db.prepare('DELETE FROM remote_held'),
    anyTwinState: db
      .prepare<[], number>('SELECT EXISTS (SELECT 1 FROM remote_held) OR EXISTS (SELECT 1 FROM remote WHERE provider_key IS NOT NULL)')
      .pluck(),
  };
}

/** The i-th ancestor prefixes of a '/a/b/c' path: '/a', '/a/b' (not the path itself). */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

export class RemoteMirror {
  private readonly stmts: ReturnType<typeof prepare>;
  /**
   * Nothing is held and every row's provider key is its key (the usual case): then an entry whose
   * provider key is its key cannot be a twin, and the ancestor checks are skipped, which keeps a
   * 100k-entry listing as fast as before. Computed per page (beginPage), cleared on any twin state.
   */
  private plain = false;

  constructor(
    db: Database,
    private readonly remote: TreeTable<RemoteItem>,
    private readonly report: ReportHeld,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = prepare(db);
  }

  /** Call at the start of each page's transaction. */
  beginPage(): void {
    this.plain = this.stmts.anyTwinState.get() === 0;
  }

  /** Applies one change of the feed (see StateIndex.applyRemoteChanges for Dropbox's rules). */
  apply(change: RemoteChange): void {
    switch (change.kind) {
      case 'upsert':
        this.upsert(change.item, change.providerKey ?? change.item.key);
        return;
      case 'delete':
        this.delete(change.key, change.providerKey ?? change.key);
        return;
      case 'refused':
        this.hold({ key: change.key, providerKey: change.providerKey ?? change.key, path: change.path, reason: 'refused', message: refusedMessage(change.path, change.reason) }, null);
        return;
      default:
        assertNever(change);
    }
  }

  clear(): void {
    this.stmts.clearHeld.run();
  }

  /** Held entries worth telling the user about: the topmost of each held subtree. */
  reportable(): HeldEntry[] {
    const rows = this.stmts.allHeld.all();
    const held = new Set(rows.map((r) => r.providerKey));
    return rows.filter((r) => !ancestors(r.providerKey).some((a) => held.has(a))).map(toEntry);
  }

  /** Keys whose remote state is unknown (unholdable names, refused entries): never plan over them. */
  unknownKeys(): PathKey[] {
    return this.stmts.allHeld.all().filter((r) => r.reason !== 'collision').map((r) => r.key);
  }

  private providerKeyAt(key: PathKey): string | undefined {
    const row = this.stmts.providerKeyAt.get(key);
    if (row === undefined) return undefined;
    return row ?? key;
  }

  private upsert(item: RemoteItem, providerKey: string): void {
    if (this.plain && providerKey === item.key && localPathProblem(item.path) === null) {
      if (item.kind === 'file') this.remote.deleteBelow(item.key);
      this.remote.put(item);
      return;
    }
    this.plain = false;
    const previous = this.stmts.heldByProviderKey.get(providerKey);
    if (item.kind === 'file') this.stmts.deleteHeldBelow.run(...belowBounds(providerKey));
    const held = this.whyHeld(item, providerKey);
    if (held) {
      if (previous) this.stmts.deleteHeldSeq.run(previous.seq);
      this.hold({ key: item.key, providerKey, path: item.path, ...held }, JSON.stringify(item), previous);
      return;
    }
    if (previous) this.stmts.deleteHeldSeq.run(previous.seq);
    if (item.kind === 'file') this.remote.deleteBelow(item.key);
    this.remote.put(item);
    this.stmts.setProviderKey.run(providerKey === item.key ? null : providerKey, item.key);
  }

  /** Why an entry must stay out of the mirror, or null when it may enter. */
  private whyHeld(item: RemoteItem, providerKey: string): { reason: HeldReason; message: string } | null {
    const badName = localPathProblem(item.path);
    if (badName) {
      return { reason: 'name', message: `“${item.path}” is on Dropbox, but ${describeNameProblem(badName.problem)}, so this computer cannot store it; rename it on Dropbox to sync it.` };
    }
    // Below a held folder, or below a folder whose key a twin of that folder holds.
    const keyAncestors = ancestors(item.key);
    const ownAncestors = ancestors(providerKey);
    for (let i = 0; i < ownAncestors.length; i++) {
      const own = ownAncestors[i] as string;
      const keptThere = this.providerKeyAt(keyAncestors[i] ?? '');
      if (this.stmts.heldByProviderKey.get(own) || (keptThere !== undefined && keptThere !== own)) {
        return { reason: 'collision', message: `“${item.path}” can't sync: it is in a folder that another item on Dropbox has the same name as, apart from case or accents; rename one of them on Dropbox.` };
      }
    }
    const kept = this.remote.get(item.key);
    if (kept && kept.id !== item.id && this.providerKeyAt(item.key) !== providerKey) {
      return { reason: 'collision', message: `“${item.path}” can't sync: another item on Dropbox (“${kept.path}”) has the same name apart from case or accents; rename one of them on Dropbox.` };
    }
    return null;
  }

  private delete(key: PathKey, providerKey: string): void {
    this.stmts.deleteHeldAtOrBelow.run(providerKey, ...belowBounds(providerKey));
    const kept = this.providerKeyAt(key);
    // A delete of a held twin leaves the entry that holds the key alone.
    if (kept !== undefined && kept !== providerKey) return;
    this.remote.deleteSubtree(key);
    this.readmitAt(key);
  }

  /** The key is free again: what was held for a collision or a name there is judged again, in arrival order. */
  private readmitAt(key: PathKey): void {
    for (const row of this.stmts.heldAtOrBelowKey.all(key, ...belowBounds(key))) {
      if (row.item === null) continue;
      this.stmts.deleteHeldSeq.run(row.seq);
      this.upsertKeepingTime(JSON.parse(row.item) as RemoteItem, row);
    }
  }

  private upsertKeepingTime(item: RemoteItem, row: HeldRow): void {
    const held = this.whyHeld(item, row.providerKey);
    if (held) {
      this.hold({ key: item.key, providerKey: row.providerKey, path: item.path, ...held }, row.item, row);
      return;
    }
    this.upsert(item, row.providerKey);
  }

  private hold(entry: Omit<HeldEntry, 'time'>, item: string | null, previous = this.stmts.heldByProviderKey.get(entry.providerKey)): void {
    this.plain = false;
    const unchanged = previous?.reason === entry.reason && previous.message === entry.message;
    const time = unchanged ? previous.time : this.now();
    this.stmts.insertHeld.run(entry.providerKey, entry.key, entry.path, entry.reason, entry.message, time, item);
    // An entry held before under its own key: the mirror must not keep a stale copy of it.
    if (this.providerKeyAt(entry.key) === entry.providerKey && entry.reason !== 'refused') this.remote.deleteSubtree(entry.key);
    if (!unchanged && !this.hasHeldAncestor(entry.providerKey)) this.report({ ...entry, time });
  }

  private hasHeldAncestor(providerKey: string): boolean {
    return ancestors(providerKey).some((a) => this.stmts.heldByProviderKey.get(a) !== undefined);
  }
}

function refusedMessage(path: string, reason: string): string {
  return `“${path}” is left alone on both sides (neither downloaded nor deleted): ${reason}.`;
}

function toEntry(row: HeldRow): HeldEntry {
  return { key: row.key, providerKey: row.providerKey, path: row.path, reason: row.reason, message: row.message, time: row.time };
}
