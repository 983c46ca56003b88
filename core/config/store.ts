import { dirname } from 'node:path';
import { GanetiError, describeError } from '../errors/index.js';
import type { GanetiPaths } from '../paths.js';
import type { ConfigSnapshot } from '../contracts/hooks.js';
import type { Logger } from '../contracts/context.js';
import { OBJECT_KINDS, deepFreeze, type ConfigData, type FrozenConfig } from './objects.js';
import { configProblem } from './schema.js';
import { CONFIG_VERSION, checkVersion, upgradeConfig } from './upgrade.js';
import { ConfigSerializer } from './serialize.js';
import { AtomicWriteError, isTempFor, nodeConfigFs, sameFile, writeFileAtomic, type ConfigFs, type FileIdentity } from './fs.js';
import { acquireLock } from './lock.js';
import { Txn, checkAllReferences, type ConfigTxn } from './txn.js';

/**
 * The configuration store: the one writer of `config.data` (design: "Config: one writer").
 *
 * - `ConfigStore.open(paths)` takes the writer lock (`config.data.lock`, see lock.ts), reads
 *   and checks the file (JSON, version, schema), upgrades it in memory and serves it; the
 *   file itself stays as it was until the first change. A file that cannot be read as a
 *   config is refused (GNT_CONFIG_CORRUPT / _INVALID / _VERSION) and never written; the
 *   lock is released again.
 * - Reads: `store.snapshot` / `store.data` is the current configuration, deep-frozen. A
 *   snapshot never changes; each write makes a new one that shares every unchanged object
 *   with the previous one (so holding a snapshot is free and reading needs no copy).
 * - `store.update(mutator)` runs changes one at a time, in call order. A change bumps the
 *   top-level `serial_no` by one and each changed object's `serial_no` and `mtime`, is checked
 *   (schema of the changed objects, references), written atomically and durably (temp file
 *   in the same folder, fsync, rename over config.data, fsync of the folder), and only then
 *   published; then the `written` listeners run. If any step before the rename fails, the
 *   file and the snapshot stay as they were and update() rejects. A change that changes
 *   nothing writes nothing.
 * - Like Ganeti, a write first checks that config.data is still the file this store last read
 *   or wrote (inode, size, mtime); if someone replaced it, the write is refused
 *   (GNT_CONFIG_CONFLICT) rather than losing their change or ours.
 * - Calling update() from inside a mutator deadlocks (it queues behind itself): don't.
 */

export interface ConfigStoreSnapshot extends ConfigSnapshot {
  /** The top-level `serial_no`. */
  readonly serial: number;
  readonly data: FrozenConfig;
}

export type WrittenListener = (snapshot: ConfigStoreSnapshot) => void;

export interface UpdateResult<T> {
  /** What the mutator returned. */
  readonly value: T;
  readonly snapshot: ConfigStoreSnapshot;
  /** False when the change changed nothing (and nothing was written). */
  readonly written: boolean;
  /** One line per object changed (`edited instance inst1`, `added node node4`). */
  readonly summary: readonly string[];
}

export interface ConfigStoreOptions {
  /** File operations (tests inject failures here). */
  fs?: ConfigFs;
  /** Clock in float seconds, for ctime/mtime. */
  now?: () => number;
  /** Called after each durable write (the host's configWritten hook is wired here). */
  onWritten?: WrittenListener;
  logger?: Logger;
  /** Mode of config.data (default 0o640: owner writes, group reads, like Ganeti). */
  fileMode?: number;
  /**
   * Serialise the loaded config in the background after open (default true), so that the
   * first write re-serialises only what it changed (see serialize.ts). Only needed for what
   * the file's own bytes cannot provide: a file that was upgraded in memory.
   */
  prewarm?: boolean;
}

type ConfigPaths = Pick<GanetiPaths, 'configData'>;

/** What `initialize` takes: a config whose version, serial and times it may fill in. */
export type NewConfig = Omit<ConfigData, 'version' | 'serial_no' | 'ctime' | 'mtime'> & Partial<Pick<ConfigData, 'version' | 'serial_no' | 'ctime' | 'mtime'>>;

export interface LoadedConfig {
  readonly data: FrozenConfig;
  /** The version the file had before the in-memory upgrade. */
  readonly fileVersion: number;
  /** What the upgrade changed (empty for an up-to-date file). */
  readonly upgraded: readonly string[];
  readonly identity: FileIdentity;
  /** The file's bytes as read. */
  readonly source: Buffer;
}

/**
 * Reads, checks and upgrades (in memory) a config file without taking the writer lock: for
 * readers (confd, noded, tools). Throws GNT_CONFIG_NOT_FOUND, _CORRUPT, _VERSION, _INVALID.
 */
export async function loadConfigFile(file: string, options: Pick<ConfigStoreOptions, 'fs' | 'now'> = {}): Promise<LoadedConfig> {
  const fs = options.fs ?? nodeConfigFs;
  const identity = await fs.stat(file);
  if (identity === null) throw new GanetiError('GNT_CONFIG_NOT_FOUND', { file });
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new GanetiError('GNT_CONFIG_NOT_FOUND', { file });
    throw new GanetiError('GNT_CONFIG_CORRUPT', { file, problem: `it cannot be read (${describeError(e)})` }, { cause: e });
  }
  const raw = parseConfigBytes(bytes, file);
  const fileVersion = checkVersion(raw['version'], file);
  const loadedProblem = configProblem(raw, 'loaded');
  if (loadedProblem) throw new GanetiError('GNT_CONFIG_INVALID', { what: `file ${file}, left untouched`, problem: loadedProblem });
  const { data, changes } = upgradeConfig(raw, { file, now: (options.now ?? defaultNow)() });
  const currentProblem = configProblem(data, 'current');
  if (currentProblem) throw new GanetiError('GNT_CONFIG_INVALID', { what: `file ${file} after upgrade, left untouched`, problem: currentProblem });
  return { data: deepFreeze(data), fileVersion, upgraded: changes, identity, source: bytes };
}

function parseConfigBytes(bytes: Buffer, file: string): Record<string, unknown> {
  if (bytes.length === 0) throw new GanetiError('GNT_CONFIG_CORRUPT', { file, problem: 'the file is empty (truncated?)' });
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    const msg = describeError(e);
    const truncated = /end of JSON input|Unterminated/i.test(msg);
    throw new GanetiError('GNT_CONFIG_CORRUPT', { file, problem: `it is not valid JSON${truncated ? ' (the file looks truncated)' : ''}: ${msg}` }, { cause: e });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new GanetiError('GNT_CONFIG_CORRUPT', { file, problem: 'the top level is not a JSON object' });
  if (!('version' in raw)) throw new GanetiError('GNT_CONFIG_CORRUPT', { file, problem: 'it has no version field' });
  return raw as Record<string, unknown>;
}

const defaultNow = () => Date.now() / 1000;

export class ConfigStore {
  private current: ConfigStoreSnapshot;
  private identity: FileIdentity;
  private readonly serializer = new ConfigSerializer();
  private readonly listeners = new Set<WrittenListener>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly warming = new AbortController();
  private prewarmed: Promise<void> = Promise.resolve();
  private readonly fs: ConfigFs;
  private readonly now: () => number;
  private readonly fileMode: number;

  private constructor(
    readonly file: string,
    private readonly releaseLock: () => Promise<void>,
    data: FrozenConfig,
    identity: FileIdentity,
    private readonly options: ConfigStoreOptions,
    /** What the in-memory upgrade changed when the file was opened (empty if nothing). */
    readonly upgradedOnOpen: readonly string[],
  ) {
    this.fs = options.fs ?? nodeConfigFs;
    this.now = options.now ?? defaultNow;
    this.fileMode = options.fileMode ?? 0o640;
    this.current = snapshotOf(data);
    this.identity = identity;
    if (options.onWritten) this.listeners.add(options.onWritten);
  }

  /** Opens an existing config.data as its single writer. */
  static async open(paths: ConfigPaths, options: ConfigStoreOptions = {}): Promise<ConfigStore> {
    const file = paths.configData;
    const fs = options.fs ?? nodeConfigFs;
    const release = await lock(file);
    try {
      await removeStaleTemps(fs, file);
      const loaded = await loadConfigFile(file, options);
      const store = new ConfigStore(file, release, loaded.data, loaded.identity, options, loaded.upgraded);
      // A file that needed no upgrade is exactly the snapshot: its bytes serve as the cache.
      if (loaded.upgraded.length === 0) store.serializer.seed(loaded.data, loaded.source);
      if (options.prewarm !== false) store.startPrewarm();
      return store;
    } catch (e) {
      await release();
      throw e;
    }
  }

  /**
   * Creates config.data from `data` (for `gnt-cluster init`) and opens it. Missing UUIDs,
   * serial numbers and defaults are filled as for an upgrade, missing ctime/mtime are now;
   * the version is set to CONFIG_VERSION; the whole config is checked (schema, references).
   * GNT_CONFIG_EXISTS if the file exists; nothing is written if anything is wrong.
   */
  static async initialize(paths: ConfigPaths, data: NewConfig, options: ConfigStoreOptions = {}): Promise<ConfigStore> {
    const file = paths.configData;
    const fs = options.fs ?? nodeConfigFs;
    await fs.mkdir(dirname(file), 0o755);
    const release = await lock(file);
    try {
      if ((await fs.stat(file)) !== null) throw new GanetiError('GNT_CONFIG_EXISTS', { what: `configuration file ${file}` });
      await removeStaleTemps(fs, file);
      const now = (options.now ?? defaultNow)();
      const copy = structuredClone({ ...data, version: CONFIG_VERSION }) as unknown as Record<string, unknown>;
      // Everything in a new config is created now (the upgrade would call a missing ctime unknown).
      const created = (o: unknown) => {
        if (o !== null && typeof o === 'object' && typeof (o as Record<string, unknown>)['ctime'] !== 'number') (o as Record<string, unknown>)['ctime'] = now;
      };
      created(copy);
      created(copy['cluster']);
      for (const kind of OBJECT_KINDS) {
        if (kind === 'filters') continue;
        const coll = copy[kind];
        if (coll !== null && typeof coll === 'object') for (const o of Object.values(coll)) created(o);
      }
      const { data: filled } = upgradeConfig(copy, { file, now });
      const problem = configProblem(filled, 'current');
      if (problem) throw new GanetiError('GNT_CONFIG_INVALID', { what: `new configuration ${file}`, problem });
      checkAllReferences(filled);
      const frozen = deepFreeze(filled);
      const store = new ConfigStore(file, release, frozen, { ino: -1, size: -1, mtimeNs: -1n, mode: 0 }, options, []);
      await store.write(frozen, { initial: true });
      return store;
    } catch (e) {
      await release();
      throw e;
    }
  }

  /** The current configuration (deep-frozen; never changes once handed out). */
  get snapshot(): ConfigStoreSnapshot {
    return this.current;
  }

  get data(): FrozenConfig {
    return this.current.data;
  }

  get serial(): number {
    return this.current.serial;
  }

  /** Adds a listener run after each durable write; returns a function removing it. */
  onWritten(listener: WrittenListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a change (see ConfigTxn). Changes run one at a time, in call order; the promise
   * settles once this change is durable (or refused). The mutator may be async.
   */
  update<T>(mutator: (txn: ConfigTxn) => T | Promise<T>): Promise<UpdateResult<T>> {
    if (this.closed) return Promise.reject(new GanetiError('GNT_CONFIG_CLOSED', { file: this.file }));
    const run = () => this.apply(mutator);
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Resolves once the background serialisation started by open() is done (or stopped). */
  whenPrewarmed(): Promise<void> {
    return this.prewarmed;
  }

  /** Waits for queued changes, then releases the writer lock. Further updates are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.warming.abort();
    await Promise.all([this.queue, this.prewarmed]);
    await this.releaseLock();
  }

  private startPrewarm(): void {
    this.prewarmed = this.serializer.prewarm(this.current.data, { signal: this.warming.signal }).catch((e: unknown) => {
      this.options.logger?.warn(`serialising the configuration in the background failed: ${describeError(e)}`);
    });
  }

  private async apply<T>(mutator: (txn: ConfigTxn) => T | Promise<T>): Promise<UpdateResult<T>> {
    const txn = new Txn(this.current.data);
    let value: T;
    try {
      value = await mutator(txn);
    } catch (e) {
      txn.abandon();
      throw e;
    }
    const result = txn.commit(this.now());
    if (!result.changed) return { value, snapshot: this.current, written: false, summary: [] };
    await this.write(result.data, { initial: false });
    return { value, snapshot: this.current, written: true, summary: result.summary };
  }

  private async write(data: FrozenConfig, how: { initial: boolean }): Promise<void> {
    if (!how.initial) {
      const onDisk = await this.fs.stat(this.file);
      if (!sameFile(onDisk, this.identity)) {
        throw new GanetiError('GNT_CONFIG_CONFLICT', {
          file: this.file,
          problem: onDisk === null ? 'was removed since this store last read or wrote it' : 'was changed by another program since this store last read or wrote it',
        });
      }
    }
    const chunks = this.serializer.chunks(data);
    try {
      this.identity = await writeFileAtomic(this.fs, this.file, chunks, { mode: this.fileMode });
    } catch (e) {
      if (e instanceof AtomicWriteError && e.renamed) {
        // The new file is in place (only the folder sync failed): memory must match it.
        this.identity = (await this.fs.stat(this.file).catch(() => null)) ?? this.identity;
        this.publish(data);
        throw new GanetiError('GNT_CONFIG_WRITE_FAILED', { file: this.file, reason: `${e.message}; the new configuration is in place but may not survive a crash` }, { cause: e });
      }
      throw new GanetiError('GNT_CONFIG_WRITE_FAILED', { file: this.file, reason: `${describeError(e)}; the previous configuration is kept` }, { cause: e });
    }
    this.publish(data);
  }

  private publish(data: FrozenConfig): void {
    this.current = snapshotOf(data);
    for (const l of this.listeners) {
      try {
        l(this.current);
      } catch (e) {
        // The write is durable; a failing listener must not make it look otherwise.
        this.options.logger?.warn(`a configWritten listener failed: ${describeError(e)}`);
      }
    }
  }
}

const snapshotOf = (data: FrozenConfig): ConfigStoreSnapshot => Object.freeze({ serial: data.serial_no, data });

async function lock(file: string): Promise<() => Promise<void>> {
  const lockFile = `${file}.lock`;
  let r: Awaited<ReturnType<typeof acquireLock>>;
  try {
    r = await acquireLock(lockFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new GanetiError('GNT_CONFIG_NOT_FOUND', { file }, { cause: e });
    throw e;
  }
  if (!r.acquired) throw new GanetiError('GNT_CONFIG_LOCKED', { file, lock: lockFile, pid: String(r.holder.pid) });
  return r.release;
}

/** Temp files a crashed writer left (we hold the lock, so no live writer owns them). */
async function removeStaleTemps(fs: ConfigFs, file: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dirname(file));
  } catch {
    return;
  }
  for (const n of names) if (isTempFor(file, n)) await fs.unlink(`${dirname(file)}/${n}`).catch(() => undefined);
}
