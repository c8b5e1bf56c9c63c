// A deterministic simulation of the real sync engine (in the spirit of Dropbox's Trinity): several
// devices, each a real SyncEngine (planner, executor, index) on its own folder, against an
// in-process Dropbox. A seeded scheduler interleaves user edits on the devices (also in the middle
// of a pass, at provider calls), a web user's edits on the server, faults (before or after a call
// takes effect, 429, 5xx, cursor resets, a lagging feed) and crashes (the engine is abandoned
// mid-call and restarted from its index). Then everything heals, and the oracle checks that every
// device equals Dropbox, that every version a user did not replace or delete still exists
// somewhere, and that no content was invented. A seed replays the same run.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { SyncEngine } from '../../src/main/core/engine/syncEngine.js';
import { StateIndex } from '../../src/main/core/index/index.js';
import { isTwinfoldError } from '../../src/main/core/errors.js';
import { pathLower } from '../../src/main/core/paths.js';
import { RouteError, WriteFailure } from '../../src/emulator/errors.js';
import { FolderDisk, simBaseDir, type DeviceDisk, type DiskEntry } from './deviceDisk.js';
import { Prng } from './prng.js';
import { faultError, pathArg, REMOTE_ROOT, SimProvider, SimServer, type CallHooks, type CallName } from './simRemote.js';

export interface SimOptions {
  seed: number;
  /** Number of devices (default 2 or 3, chosen by the seed). */
  devices?: number;
  /** Scheduler steps before healing (default 30). */
  steps?: number;
  /** Breaks the in-process Dropbox on purpose (uploads overwrite whatever is there): the oracle's self-test. */
  brokenRemote?: boolean;
  /** Receives every trace line as it happens (replay with --trace). */
  onTrace?: (line: string) => void;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  /** Why the run failed (the first problem found). */
  failure?: string;
  trace: string[];
}

/** What a pass's race resolves with when the scheduler crashed its engine (never an engine error). */
class Crash {}

const START_TIME = Date.UTC(2026, 0, 5, 9, 0, 0);
const MAX_HEAL_ROUNDS = 8;
/** A safety net for a hanging pass (an engine deadlock); everything else waits on events. */
const PASS_WATCHDOG_MS = 20_000;
const NAMES = ['a.txt', 'A.txt', 'b.txt', 'B.TXT', 'caf\u00e9.txt', 'cafe\u0301.txt', 'd', 'D', 'e'];

interface Device {
  name: string;
  disk: DeviceDisk;
  index: StateIndex;
  engine: SyncEngine;
  /** Resolves the running pass's race when the scheduler crashes the engine mid-call. */
  crash?: () => void;
}

type Phase = 'chaos' | 'heal';

export async function runSimulation(opts: SimOptions): Promise<SimResult> {
  const base = await mkdtemp(nodePath.join(await simBaseDir(), `twinfold-sim-${opts.seed}-`));
  const sim = new Simulation(opts, base);
  try {
    await sim.run();
  } catch (err) {
    sim.fail(`harness: ${describe(err)}`);
  } finally {
    sim.close();
    await rm(base, { recursive: true, force: true });
  }
  return sim.result();
}

class Simulation {
  private readonly rng: Prng;
  private readonly server: SimServer;
  private readonly devices: Device[] = [];
  private readonly trace: string[] = [];
  private clock = START_TIME;
  private phase: Phase = 'chaos';
  private step = 0;
  /** How many passes are running inside another device's pass. */
  private nested = 0;
  private tokens = 0;
  /** Every content a user (on a device or on the web) ever wrote. */
  private readonly written = new Set<string>();
  /** Contents a user replaced or deleted: these may be gone. */
  private readonly superseded = new Set<string>();
  private failure: string | undefined;
  private readonly pageLimit: number;
  private readonly names: string[];

  constructor(private readonly opts: SimOptions, private readonly base: string) {
    this.rng = new Prng(opts.seed);
    this.server = new SimServer(() => this.clock, this.rng.chance(0.5));
    this.pageLimit = this.rng.chance(0.5) ? this.rng.int(1, 4) : 2000;
    this.names = NAMES;
  }

  result(): SimResult {
    return { seed: this.opts.seed, ok: this.failure === undefined, ...(this.failure ? { failure: this.failure } : {}), trace: this.trace };
  }

  fail(why: string): void {
    this.log(`FAIL ${why}`);
    this.failure ??= why;
  }

  close(): void {
    for (const device of this.devices) device.index.close();
  }

  private log(line: string): void {
    const stamped = `[${this.step}] ${line}`;
    this.trace.push(stamped);
    this.opts.onTrace?.(stamped);
  }

  async run(): Promise<void> {
    const count = this.opts.devices ?? this.rng.int(2, 3);
    for (let i = 0; i < count; i++) {
      const name = String.fromCharCode(65 + i);
      const root = nodePath.join(this.base, name);
      const disk = new FolderDisk(root);
      await mkdir(root);
      this.devices.push(this.startDevice(name, disk));
    }
    this.log(`seed ${this.opts.seed}: ${count} devices, page limit ${this.pageLimit}`);
    const steps = this.opts.steps ?? 30;
    for (this.step = 1; this.step <= steps && !this.failure; this.step++) {
      this.clock += this.rng.int(1, 5) * 1000;
      const action = this.rng.weighted({ user: 4, web: 1, sync: 4 });
      switch (action) {
        case 'user':
          this.userOp(this.rng.pick(this.devices));
          break;
        case 'web':
          this.webOp();
          break;
        case 'sync':
          await this.pass(this.rng.pick(this.devices));
          break;
      }
    }
    if (this.failure) return;
    await this.heal();
    if (this.failure) return;
    await this.checkOracle();
  }

  // ---- devices and passes -------------------------------------------------------------------

  private startDevice(name: string, disk: DeviceDisk): Device {
    const index = StateIndex.open(nodePath.join(disk.root, '.twinfold', 'index.sqlite'));
    // The provider's hooks need the device, so its engine is filled in right below.
    const device = { name, disk, index } as Device;
    const provider = new SimProvider(this.server, this.hooksFor(device), this.pageLimit, this.opts.brokenRemote);
    device.engine = new SyncEngine({
      localRoot: disk.root,
      provider,
      index,
      quietMs: 0,
      deletionPolicy: 'propagate',
      host: name,
      live: false,
      transferConcurrency: 1,
      // Users in the simulation confirm every mass delete; the guard itself is tested elsewhere.
      allowMassDelete: true,
      now: () => this.clock,
      log: (line) => this.log(`  ${name}.engine: ${line}`),
    });
    // Between two ops of a pass (and right after planning): a user's save racing the engine.
    device.engine.on('status', (status) => {
      if (this.phase !== 'chaos' || status.state !== 'syncing' || status.total === 0 || status.done >= status.total) return;
      if (!this.rng.chance(0.08)) return;
      this.log(`  ${name}: between ops (${status.done}/${status.total} done)`);
      this.userOp(device);
    });
    return device;
  }

  /** One syncOnce on a device; a crash abandons the engine and restarts it from its index. */
  private async pass(current: Device): Promise<void> {
    let device = current;
    if (this.phase === 'chaos' && this.rng.chance(0.15)) {
      device = this.restart(device);
      this.log(`${device.name} pass (after a clean restart)`);
    } else {
      // What the live loop does when longpoll reports news: look at Dropbox again. syncOnce alone
      // would not, as one engine object is meant for one `--once` run.
      device.engine.resume();
      this.log(`${device.name} pass`);
    }
    const crashed = new Promise<Crash>((resolve) => {
      device.crash = () => resolve(new Crash());
    });
    let watchdog: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      watchdog = setTimeout(() => resolve('hung'), PASS_WATCHDOG_MS);
    });
    const outcome = await Promise.race([
      device.engine.syncOnce().then(
        (r) => (r.converged ? 'converged' : 'not converged'),
        (err: unknown) => err,
      ),
      crashed,
      hung,
    ]);
    clearTimeout(watchdog);
    device.crash = undefined;
    if (outcome instanceof Crash) {
      // The old engine stays suspended forever inside the call, like a killed process.
      this.restart(device);
      this.log(`${device.name} crashed; restarted from its index`);
      return;
    }
    if (outcome === 'hung') return this.fail(`${device.name}: a pass did not finish within ${PASS_WATCHDOG_MS} ms`);
    if (typeof outcome === 'string') return this.log(`${device.name} pass: ${outcome}`);
    if (isTwinfoldError(outcome) && outcome.retryable && this.phase === 'chaos') return this.log(`${device.name} pass failed: ${outcome.name}`);
    this.fail(`${device.name}: the engine threw ${describe(outcome)}`);
  }

  /** A new engine on the same folder and index file, replacing `device` in the list. */
  private restart(device: Device): Device {
    device.index.close();
    const restarted = this.startDevice(device.name, device.disk);
    this.devices[this.devices.indexOf(device)] = restarted;
    return restarted;
  }

  private hooksFor(device: Device): CallHooks {
    return {
      before: (call, rel) => this.atCall(device, call, rel, 'before'),
      after: (call, rel) => this.atCall(device, call, rel, 'after'),
      lagFeed: () => {
        if (this.phase !== 'chaos' || !this.rng.chance(0.15)) return false;
        this.log(`  ${device.name}: feed lags (continue answers no news)`);
        return true;
      },
    };
  }

  /** The scheduler's say at a provider call: crash, user edits racing the engine, faults. */
  private async atCall(device: Device, call: CallName, rel: string, when: 'before' | 'after'): Promise<void> {
    this.log(`  ${device.name} ${when} ${call} ${rel}`);
    if (this.phase !== 'chaos') return;
    if (device.crash && this.rng.chance(0.04)) {
      this.log(`  ${device.name}: CRASH ${when} ${call} ${rel}`);
      device.crash();
      return new Promise<void>(() => {});
    }
    if (this.rng.chance(0.12)) this.userOp(device, rel);
    // Dropbox changes meanwhile: the web user, or another device's whole pass (one level deep).
    if (this.rng.chance(0.06)) this.webOp(rel);
    const others = this.devices.filter((d) => d.name !== device.name);
    if (this.nested === 0 && others.length > 0 && this.rng.chance(0.06)) {
      this.nested += 1;
      await this.pass(this.rng.pick(others));
      this.nested -= 1;
    }
    if (when === 'before' && call === 'listContinue' && this.rng.chance(0.05)) {
      this.log('  server: cursors reset');
      this.server.ns.resetCursors();
    }
    if (this.rng.chance(0.06)) {
      const kind = this.rng.weighted({ network: 3, rate_limit: 1, server: 1 });
      // After the effect only a lost answer is possible: the connection dropped.
      const fault = when === 'after' ? 'network' : kind;
      this.log(`  ${device.name}: FAULT ${fault} ${when} ${call} ${rel}`);
      throw faultError(fault, call);
    }
  }

  private async heal(): Promise<void> {
    this.phase = 'heal';
    this.log('heal: no more faults, crashes or edits');
    let last = '';
    for (let round = 1; round <= MAX_HEAL_ROUNDS; round++) {
      // Past every per-path retry delay, so nothing is held back by backoff.
      this.clock += 15 * 60_000;
      for (const device of this.devices) {
        await this.pass(device);
        if (this.failure) return;
      }
      const now = JSON.stringify([this.server.ns.head, ...this.devices.map((d) => d.disk.list())]);
      if (now === last) return;
      last = now;
    }
    this.fail(`the devices did not settle after ${MAX_HEAL_ROUNDS} healing rounds`);
  }

  // ---- users ----------------------------------------------------------------------------------

  /** A content no one wrote before; it counts as written once the write succeeded. */
  private newToken(who: string): string {
    this.tokens += 1;
    return `v${String(this.tokens).padStart(4, '0')}@${who}`;
  }

  private pickName(): string {
    return this.rng.pick(this.names);
  }

  /** One thing a user does on a device's disk; often to `focus` (the path the engine is busy with). */
  private userOp(device: Device, focus?: string): void {
    this.clock += 1;
    const disk = device.disk;
    const all = disk.list();
    const focused = focus === undefined ? [] : all.filter((e) => pathLower(e.path) === pathLower(focus));
    const entries = focused.length > 0 && this.rng.chance(0.6) ? focused : all;
    const files = entries.filter((e) => e.kind === 'file');
    const folders = entries.filter((e) => e.kind === 'folder');
    const parents = ['', ...all.filter((f) => f.kind === 'folder' && depth(f.path) < 2).map((f) => f.path)];
    const kind = this.rng.weighted({ create: 3, edit: 3, delete: 1.5, rename: 1.5, mkdir: 1, rmdir: 0.5, caseRename: 1 });
    const exists = (p: string): boolean => all.some((e) => e.path === p);
    const who = `${device.name}`;
    switch (kind) {
      case 'create': {
        const path = `${this.rng.pick(parents)}/${this.pickName()}`;
        if (exists(path)) return this.log(`${who} user create ${path}: exists, skipped`);
        const token = this.newToken(who);
        disk.write(path, token, 'inPlace', this.clock);
        this.written.add(token);
        return this.log(`${who} user create ${path} = ${token}`);
      }
      case 'edit': {
        if (files.length === 0) return;
        const file = this.rng.pick(files);
        const how = this.rng.chance(0.5) ? 'inPlace' : 'atomic';
        const token = this.newToken(who);
        this.supersede([file]);
        disk.write(file.path, token, how, this.clock);
        this.written.add(token);
        return this.log(`${who} user edit ${file.path} (${how}) ${file.content} -> ${token}`);
      }
      case 'delete': {
        if (files.length === 0) return;
        const file = this.rng.pick(files);
        this.supersede([file]);
        disk.remove(file.path);
        return this.log(`${who} user delete ${file.path} (${file.content})`);
      }
      case 'rename': {
        if (entries.length === 0) return;
        const item = this.rng.pick(entries);
        const targets = parents.filter((p) => p !== item.path && !p.startsWith(`${item.path}/`));
        const to = `${this.rng.pick(targets)}/${this.pickName()}`;
        const done = disk.rename(item.path, to);
        return this.log(`${who} user rename ${item.path} -> ${to}${done ? '' : ': exists, skipped'}`);
      }
      case 'caseRename': {
        if (entries.length === 0) return;
        const item = this.rng.pick(entries);
        const name = item.path.slice(item.path.lastIndexOf('/') + 1);
        const flipped = name === name.toLowerCase() ? name.toUpperCase() : name.toLowerCase();
        const to = `${item.path.slice(0, item.path.lastIndexOf('/'))}/${flipped}`;
        if (flipped === name) return;
        const done = disk.rename(item.path, to);
        return this.log(`${who} user case-rename ${item.path} -> ${to}${done ? '' : ': exists, skipped'}`);
      }
      case 'mkdir': {
        const path = `${this.rng.pick(parents)}/${this.pickName()}`;
        if (exists(path)) return this.log(`${who} user mkdir ${path}: exists, skipped`);
        disk.mkdir(path);
        return this.log(`${who} user mkdir ${path}`);
      }
      case 'rmdir': {
        if (folders.length === 0) return;
        const folder = this.rng.pick(folders);
        this.supersede(all.filter((e) => e.path.startsWith(`${folder.path}/`)));
        disk.remove(folder.path);
        return this.log(`${who} user rm -r ${folder.path}`);
      }
    }
  }

  private supersede(entries: DiskEntry[]): void {
    for (const entry of entries) if (entry.content !== undefined) this.superseded.add(entry.content);
  }

  /** One thing the web user does on Dropbox directly; often to `focus` (relative to the synced folder). */
  private webOp(focus?: string): void {
    this.clock += 1;
    const server = this.server;
    const rootKey = pathLower(REMOTE_ROOT);
    const all = [...this.remoteItems()].filter(([key]) => key !== rootKey);
    const focused = focus === undefined ? [] : all.filter(([key]) => key === pathLower(REMOTE_ROOT + focus));
    const items = focused.length > 0 && this.rng.chance(0.6) ? focused : all;
    const folders = all.filter(([, item]) => item.kind === 'folder').map(([, item]) => item.display);
    const parents = [REMOTE_ROOT, ...folders.filter((f) => depth(f) < 3)];
    const kind = this.rng.weighted({ write: 3, delete: 1, move: 1, mkdir: 1 });
    try {
      switch (kind) {
        case 'write': {
          const files = items.filter(([, item]) => item.kind === 'file');
          const editing = files.length > 0 && this.rng.chance(0.5);
          const path = editing ? this.rng.pick(files)[1].display : `${this.rng.pick(parents)}/${this.pickName()}`;
          const before = server.filesBelow(pathLower(path)).find((f) => f.key === pathLower(path));
          const token = this.newToken('web');
          const content = server.store(token);
          server.ns.commitFile({ path: pathArg(path), mode: { '.tag': 'overwrite' }, autorename: false, strictConflict: false }, content);
          this.written.add(token);
          if (before) this.superseded.add(before.content);
          return this.log(`web write ${path}${before ? ` ${before.content}` : ''} -> ${token}`);
        }
        case 'delete': {
          if (items.length === 0) return;
          const [key, item] = this.rng.pick(items);
          const gone = server.filesBelow(key);
          server.delete(pathArg(item.display));
          for (const file of gone) this.superseded.add(file.content);
          return this.log(`web delete ${item.display}`);
        }
        case 'move': {
          if (items.length === 0) return;
          const [, item] = this.rng.pick(items);
          const targets = parents.filter((p) => pathLower(p) !== pathLower(item.display) && !pathLower(p).startsWith(`${pathLower(item.display)}/`));
          const to = `${this.rng.pick(targets)}/${this.pickName()}`;
          server.ns.move(pathArg(item.display), pathArg(to), false);
          return this.log(`web move ${item.display} -> ${to}`);
        }
        case 'mkdir': {
          const path = `${this.rng.pick(parents)}/${this.pickName()}`;
          server.ns.createFolder(pathArg(path), false);
          return this.log(`web mkdir ${path}`);
        }
      }
    } catch (err) {
      if (err instanceof RouteError || err instanceof WriteFailure) return this.log(`web ${kind}: refused (${err.message})`);
      throw err;
    }
  }

  /** Live items of the synced folder on the server (its own folder included), by key. */
  private *remoteItems(): Generator<[string, { kind: 'file' | 'folder'; display: string }]> {
    const ns = this.server.ns;
    const visit = function* (key: string): Generator<[string, { kind: 'file' | 'folder'; display: string }]> {
      const entry = ns.entry(key);
      if (!entry) return;
      yield [key, { kind: entry.kind, display: ns.displayOf(key) }];
      for (const child of ns.childKeys(key)) yield* visit(child);
    };
    yield* visit(pathLower(REMOTE_ROOT));
  }

  // ---- oracle ---------------------------------------------------------------------------------

  private async checkOracle(): Promise<void> {
    const rootKey = pathLower(REMOTE_ROOT);
    const remote = new Map<string, string>();
    for (const [key] of this.remoteItems()) {
      if (key === rootKey) continue;
      const entry = this.server.ns.entry(key)!;
      remote.set(key.slice(rootKey.length), entry.kind === 'folder' ? '<dir>' : this.server.content(entry.contentHash));
    }
    const everywhere = new Set<string>([...this.server.deletedVersions]);
    for (const content of remote.values()) everywhere.add(content);
    const problems: string[] = [];
    for (const device of this.devices) {
      const local = new Map<string, string>();
      for (const entry of device.disk.list()) {
        const key = pathLower(entry.path);
        if (local.has(key)) problems.push(`${device.name} has two items Dropbox sees as one: ${entry.path}`);
        local.set(key, entry.content ?? '<dir>');
      }
      for (const content of local.values()) everywhere.add(content);
      for (const content of device.disk.trashContents()) everywhere.add(content);
      const diff = treeDiff(local, remote);
      if (diff.length > 0) problems.push(`${device.name} differs from Dropbox: ${diff.slice(0, 6).join('; ')}`);
    }
    const lost = [...this.written].filter((v) => !this.superseded.has(v) && !everywhere.has(v));
    if (lost.length > 0) problems.push(`versions lost: ${lost.join(', ')}`);
    const invented = [...everywhere].filter((c) => c !== '<dir>' && !this.written.has(c));
    if (invented.length > 0) problems.push(`content nobody wrote: ${invented.map((c) => JSON.stringify(c.slice(0, 40))).join(', ')}`);
    if (problems.length > 0) this.fail(problems.join(' | '));
    else this.log(`oracle: ok (${remote.size} items, ${this.written.size} versions written, ${this.superseded.size} replaced by users)`);
  }
}

/** An error with the top of its stack: enough to see where, short enough for a trace line. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return (err.stack ?? `${err.name}: ${err.message}`).split('\n').slice(0, 4).join(' | ');
}

function depth(path: string): number {
  return path.split('/').length - 1;
}

function treeDiff(local: Map<string, string>, remote: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [key, value] of local) {
    const other = remote.get(key);
    if (other === undefined) out.push(`${key} only on the device`);
    else if (other !== value) out.push(`${key}: device ${value}, Dropbox ${other}`);
  }
  for (const key of remote.keys()) if (!local.has(key)) out.push(`${key} only on Dropbox`);
  return out;
}
