import { performance } from 'node:perf_hooks';
import { OBJECT_KINDS, type FrozenConfig, type ObjectKind } from './objects.js';
import { scanConfigFile } from './json-scan.js';

/**
 * Serialises a config snapshot to the bytes of `config.data` (compact JSON), re-serialising
 * only what changed since the last call.
 *
 * Snapshots share every unchanged object with the previous one and are frozen, so an
 * object's identity stands for its content. Each keyed collection is cut into blocks of
 * consecutive entries, and each block's bytes (`"uuid":{...},"uuid":{...}`) are cached with
 * the list of objects they were made from:
 * - block boundaries are content-defined (a block ends after a key whose hash ends in 7 zero
 *   bits, about one key in 128, or after 1,024 entries), so adding or removing an object only
 *   changes the block it falls in, not every block after it;
 * - a block is reused when it holds the very same objects under the same keys; otherwise its
 *   ~128 objects are stringified again (about a millisecond);
 * - a collection that did not change at all (same object) reuses its whole chunk list.
 * A write after one instance changed thus stringifies ~128 instances and the small top level,
 * and hands a few hundred buffers to writev.
 *
 * Key order: the known top-level keys in Ganeti's order, then any unknown top-level key in
 * the order it was read; inside objects, the order the object has.
 */
const OPEN = Buffer.from('{');
const CLOSE = Buffer.from('}');
const COMMA = Buffer.from(',');
const KNOWN_TOP = new Set<string>(['version', 'cluster', ...OBJECT_KINDS, 'serial_no', 'ctime', 'mtime']);
const MAX_BLOCK = 1024;

interface Block {
  readonly objs: readonly object[];
  readonly keys: readonly string[];
  readonly buf: Buffer;
}

/** FNV-1a of the key's last 8 characters; a block ends where its low 7 bits are zero. */
function endsBlock(key: string): boolean {
  let h = 0x811c9dc5;
  for (let i = Math.max(0, key.length - 8); i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h & 127) === 0;
}

const sameList = (a: readonly unknown[], b: readonly unknown[]): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

export interface SerializerStats {
  blocksReused: number;
  blocksBuilt: number;
  objectsStringified: number;
}

export class ConfigSerializer {
  /** The chunk list of a collection object already serialised. */
  private readonly byCollection = new WeakMap<object, Buffer[]>();
  /** Per kind, the blocks of the collection serialised last, by their first object. */
  private readonly blocks = new Map<ObjectKind, Map<object, Block>>();
  /** Per kind, how many times a collection of that kind was serialised completely. */
  private readonly generation = new Map<ObjectKind, number>();
  private clusterCache: { obj: object; buf: Buffer } | undefined;
  private stats: SerializerStats = { blocksReused: 0, blocksBuilt: 0, objectsStringified: 0 };

  /** The file's bytes, as chunks to write in order. */
  chunks(data: FrozenConfig): Buffer[] {
    const top = data as unknown as Record<string, unknown>;
    const out: Buffer[] = [Buffer.from(`{"version":${JSON.stringify(data.version)},"cluster":`), this.cluster(data.cluster)];
    for (const kind of OBJECT_KINDS) {
      out.push(Buffer.from(`,"${kind}":`));
      const coll = top[kind] as Record<string, object>;
      let list = this.byCollection.get(coll);
      if (list === undefined) {
        const walk = this.walk(kind, coll);
        while (!walk.next().done);
        list = this.byCollection.get(coll)!;
      }
      for (const b of list) out.push(b);
    }
    let tail = `,"serial_no":${JSON.stringify(data.serial_no)},"ctime":${JSON.stringify(data.ctime)},"mtime":${JSON.stringify(data.mtime)}`;
    for (const key in top) {
      if (!KNOWN_TOP.has(key) && top[key] !== undefined) tail += `,${JSON.stringify(key)}:${JSON.stringify(top[key])}`;
    }
    out.push(Buffer.from(`${tail}}`));
    return out;
  }

  /** The whole file as one buffer (tests, tools). */
  bytes(data: FrozenConfig): Buffer {
    return Buffer.concat(this.chunks(data));
  }

  /**
   * Serialises `data` in the background: slices of about `sliceMs` of work between turns of
   * the event loop, so a daemon that just loaded a large config stays responsive and its first
   * write finds the cache warm. Stops early when `signal` aborts. A write meanwhile is fine:
   * it serialises whatever is still missing itself.
   */
  async prewarm(data: FrozenConfig, options: { signal?: AbortSignal; sliceMs?: number } = {}): Promise<void> {
    const sliceMs = options.sliceMs ?? 8;
    const top = data as unknown as Record<string, Record<string, object>>;
    this.cluster(data.cluster);
    const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));
    for (const kind of OBJECT_KINDS) {
      const coll = top[kind]!;
      if (this.byCollection.has(coll)) continue;
      const generation = this.generation.get(kind);
      const walk = this.walk(kind, coll);
      let until = performance.now() + sliceMs;
      for (let r = walk.next(); !r.done; r = walk.next()) {
        if (performance.now() >= until) {
          await yieldNow();
          if (options.signal?.aborted) return;
          // A write serialised this kind meanwhile: its blocks are newer than ours, stop.
          if (this.generation.get(kind) !== generation) break;
          until = performance.now() + sliceMs;
        }
      }
    }
  }

  /**
   * Seeds the cache with the bytes of the file `data` was parsed from, when `data` is exactly
   * what JSON.parse made of `raw` (nothing upgraded): each unchanged object is then written
   * back as the file had it, and the first write after opening a large config costs no more
   * than the next ones. Collections whose entries do not line up with the parsed object (a
   * repeated key, an integer-like key that JavaScript orders first) are left to serialise
   * normally. Returns the collections seeded (and `cluster`).
   */
  seed(data: FrozenConfig, raw: Buffer): string[] {
    const scanned = scanConfigFile(raw, new Set<string>(OBJECT_KINDS));
    if (scanned === null) return [];
    const seeded: string[] = [];
    const top = data as unknown as Record<string, Record<string, object>>;
    const clusterRange = scanned.values.get('cluster');
    if (clusterRange && raw[clusterRange[0]] === 0x7b) {
      this.clusterCache = { obj: data.cluster, buf: raw.subarray(clusterRange[0], clusterRange[1]) };
      seeded.push('cluster');
    }
    for (const kind of OBJECT_KINDS) {
      const coll = top[kind]!;
      const entries = scanned.entries.get(kind);
      if (!entries) continue;
      const keys = Object.keys(coll);
      if (keys.length !== entries.length || !entries.every((e, n) => e.key === keys[n])) continue;
      const blocks = new Map<object, Block>();
      const out: Buffer[] = [OPEN];
      let from = 0;
      for (let n = 0; n < entries.length; n++) {
        if (n + 1 - from < MAX_BLOCK && !endsBlock(entries[n]!.key) && n + 1 < entries.length) continue;
        const blockKeys = keys.slice(from, n + 1);
        const objs = blockKeys.map((k) => coll[k]!);
        // The file's bytes from the first entry's key to the last entry's closing brace:
        // valid object content whatever whitespace the file uses between entries.
        const b: Block = { objs, keys: blockKeys, buf: raw.subarray(entries[from]!.start, entries[n]!.end) };
        blocks.set(objs[0]!, b);
        if (out.length > 1) out.push(COMMA);
        out.push(b.buf);
        from = n + 1;
      }
      out.push(CLOSE);
      this.blocks.set(kind, blocks);
      this.byCollection.set(coll, out);
      this.generation.set(kind, (this.generation.get(kind) ?? 0) + 1);
      seeded.push(kind);
    }
    return seeded;
  }

  /** Work done since last asked (tests and benchmarks). */
  takeStats(): SerializerStats {
    const s = this.stats;
    this.stats = { blocksReused: 0, blocksBuilt: 0, objectsStringified: 0 };
    return s;
  }

  private cluster(obj: object): Buffer {
    if (this.clusterCache?.obj !== obj) this.clusterCache = { obj, buf: Buffer.from(JSON.stringify(obj)) };
    return this.clusterCache.buf;
  }

  /**
   * Cuts a collection into blocks, reusing or building each; yields after each block, and
   * at the end records the collection's chunk list (`{`, block, `,`, block, ..., `}`).
   */
  private *walk(kind: ObjectKind, coll: Record<string, object>): Generator<undefined, undefined, undefined> {
    const prev = this.blocks.get(kind) ?? new Map<object, Block>();
    const next = new Map<object, Block>();
    const out: Buffer[] = [OPEN];
    let objs: object[] = [];
    let keys: string[] = [];
    const flush = () => {
      const first = objs[0]!;
      let b = prev.get(first);
      if (b !== undefined && sameList(b.objs, objs) && sameList(b.keys, keys)) {
        this.stats.blocksReused++;
      } else {
        // One JSON.stringify of the block as an object (V8's fast path), without its braces.
        const holder: Record<string, object> = {};
        for (let i = 0; i < objs.length; i++) holder[keys[i]!] = objs[i]!;
        const whole = Buffer.from(JSON.stringify(holder));
        b = { objs, keys, buf: whole.subarray(1, whole.length - 1) };
        this.stats.blocksBuilt++;
        this.stats.objectsStringified += objs.length;
      }
      next.set(first, b);
      if (out.length > 1) out.push(COMMA);
      out.push(b.buf);
      objs = [];
      keys = [];
    };
    for (const key in coll) {
      objs.push(coll[key]!);
      keys.push(key);
      if (objs.length >= MAX_BLOCK || endsBlock(key)) {
        flush();
        yield undefined;
      }
    }
    if (objs.length > 0) flush();
    out.push(CLOSE);
    this.blocks.set(kind, next);
    this.byCollection.set(coll, out);
    this.generation.set(kind, (this.generation.get(kind) ?? 0) + 1);
    return undefined;
  }
}
