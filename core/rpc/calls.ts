import type { ErrorObject, ValidateFunction } from 'ajv';
import { lazyAjv } from '../schema/ajv.js';
import { GanetiError, describeError } from '../errors/index.js';
import { RPC_TIMEOUTS, isTimeoutClass, type RpcTimeoutClass } from './timeouts.js';

/**
 * The declarative RPC call table (Ganeti's lib/rpc_defs.py): one entry per node daemon
 * procedure with its timeout class, its positional arguments (each with a JSON schema, checked
 * by ajv on both ends, compiled on first use) and a description of its result. The master's
 * RpcClient and the node daemon read the same table; modules and plugins add procedures with
 * `define` (a plugin's node side registers the handler with the noded, see core/daemons/noded.ts).
 */

export type JsonSchema = Readonly<Record<string, unknown>>;

/** How the client encodes an argument before sending it (Ganeti's ED_* encoders). */
export type RpcArgEncoding =
  /** ED_COMPRESS: a string or bytes become `[0, data]` / `[1, base64(zlib(data))]`. */
  | 'compress'
  /** ED_FILE_DETAILS: a local file path becomes upload_file's 7-element file description. */
  | 'fileDetails';

export interface RpcArgDef {
  /** Ganeti's name of the positional argument. */
  readonly name: string;
  /** Schema of the value as it travels (after encoding). */
  readonly schema: JsonSchema;
  /** What the value must be, for error messages ("a number of seconds"). */
  readonly hint: string;
  readonly encoding?: RpcArgEncoding;
  readonly description?: string;
}

export interface RpcCallDef {
  /** The procedure name: the URL path `/<name>` on the node daemon. */
  readonly name: string;
  /** `single`: meant for one node; `multi`: a list of nodes, a result per node. */
  readonly kind: 'single' | 'multi';
  /** A timeout class, or seconds computed from the (unencoded) arguments. */
  readonly timeout: RpcTimeoutClass | ((args: readonly unknown[]) => number);
  readonly args: readonly RpcArgDef[];
  /** How many arguments a call must give (default: all). */
  readonly required?: number;
  /** Offline nodes are contacted anyway (Ganeti's ACCEPT_OFFLINE_NODE, e.g. `version`). */
  readonly acceptOffline?: boolean;
  /** What the node answers on success. */
  readonly result: string;
  readonly description: string;
}

/** A defined call: the definition plus who defined it. */
export interface RpcCall extends RpcCallDef {
  readonly required: number;
  /** `core`, or the plugin or module that defined it. */
  readonly owner: string;
}

const NAME_RE = /^[a-z][a-z0-9_]*$/;

// JSON off the wire: no coercion, no defaults; tuples may leave items open.
const getAjv = lazyAjv({ allErrors: false, coerceTypes: false, useDefaults: false, strict: true, strictTuples: false, allowUnionTypes: true });

export class RpcCallTable {
  readonly #calls = new Map<string, RpcCall>();
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(defs: readonly RpcCallDef[] = [], owner = 'core') {
    for (const d of defs) this.define(d, owner);
  }

  /** Adds a procedure; GNT_RPC_CALL_INVALID for a bad or duplicate definition. */
  define(def: RpcCallDef, owner = 'core'): RpcCall {
    const bad = (reason: string) => new GanetiError('GNT_RPC_CALL_INVALID', { procedure: String(def?.name), reason });
    if (!def || typeof def !== 'object') throw bad('the definition must be an object');
    if (typeof def.name !== 'string' || !NAME_RE.test(def.name)) throw bad('the name must match [a-z][a-z0-9_]*');
    const existing = this.#calls.get(def.name);
    if (existing) throw bad(`it is already defined by ${existing.owner}`);
    if (def.kind !== 'single' && def.kind !== 'multi') throw bad("kind must be 'single' or 'multi'");
    if (typeof def.timeout !== 'function' && !isTimeoutClass(def.timeout)) throw bad(`timeout must be one of ${Object.keys(RPC_TIMEOUTS).join(', ')} or a function`);
    if (!Array.isArray(def.args)) throw bad('args must be a list');
    const seen = new Set<string>();
    for (const a of def.args) {
      if (!a || typeof a.name !== 'string' || a.name === '') throw bad('every argument needs a name');
      if (seen.has(a.name)) throw bad(`argument '${a.name}' is listed twice`);
      seen.add(a.name);
      if (!a.schema || typeof a.schema !== 'object') throw bad(`argument '${a.name}' needs a JSON schema`);
      if (a.encoding !== undefined && a.encoding !== 'compress' && a.encoding !== 'fileDetails') throw bad(`argument '${a.name}' has an unknown encoding`);
    }
    const required = def.required ?? def.args.length;
    if (!Number.isInteger(required) || required < 0 || required > def.args.length) throw bad('required must be between 0 and the number of arguments');
    const call: RpcCall = Object.freeze({ ...def, args: Object.freeze([...def.args]), required, owner });
    this.#calls.set(def.name, call);
    return call;
  }

  has(name: string): boolean {
    return this.#calls.has(name);
  }

  names(): string[] {
    return [...this.#calls.keys()].sort();
  }

  /** The call named `name`; GNT_RPC_UNKNOWN_CALL when there is none. */
  get(name: string): RpcCall {
    const c = this.#calls.get(name);
    if (!c) throw new GanetiError('GNT_RPC_UNKNOWN_CALL', { procedure: name, known: this.names().join(', ') });
    return c;
  }

  /** The call's timeout for these arguments, in milliseconds. */
  timeoutMs(name: string, args: readonly unknown[]): number {
    const c = this.get(name);
    const seconds = typeof c.timeout === 'function' ? c.timeout(args) : RPC_TIMEOUTS[c.timeout];
    return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : RPC_TIMEOUTS.URGENT * 1000;
  }

  /** JSON schema of the call's argument array. */
  argsSchema(name: string): JsonSchema {
    const c = this.get(name);
    return { type: 'array', ...(c.args.length ? { items: c.args.map((a) => a.schema) } : {}), minItems: c.required, maxItems: c.args.length };
  }

  /**
   * Checks a call's (encoded) arguments against its schema; returns them, or throws
   * GNT_RPC_ARGS naming the argument that is wrong.
   */
  validate(name: string, args: unknown): unknown[] {
    const c = this.get(name);
    if (!Array.isArray(args)) throw new GanetiError('GNT_RPC_ARGS', { procedure: name, problem: `the arguments must be a JSON array, got ${describe(args)}` });
    let check = this.#validators.get(name);
    if (!check) {
      try {
        check = getAjv().compile(this.argsSchema(name));
      } catch (e) {
        throw new GanetiError('GNT_RPC_CALL_INVALID', { procedure: name, reason: `its argument schema does not compile: ${describeError(e)}` }, { cause: e });
      }
      this.#validators.set(name, check);
    }
    if (!check(args)) throw argsError(c, args, check.errors?.[0]);
    return args;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

const signature = (c: RpcCall) => `[${c.args.map((a, i) => (i < c.required ? a.name : `${a.name}?`)).join(', ')}]`;

function argsError(c: RpcCall, args: unknown[], e: ErrorObject | undefined): GanetiError {
  const fail = (problem: string) => new GanetiError('GNT_RPC_ARGS', { procedure: c.name, problem });
  if (!e) return fail('the arguments are invalid');
  if (e.instancePath === '' && (e.keyword === 'minItems' || e.keyword === 'maxItems')) {
    const count = c.required === c.args.length ? `${c.args.length}` : `${c.required} to ${c.args.length}`;
    return fail(`expects ${count} argument${c.args.length === 1 ? '' : 's'} ${signature(c)}, got ${args.length}`);
  }
  const m = /^\/(\d+)(.*)$/.exec(e.instancePath);
  if (!m) return fail(e.message ?? 'the arguments are invalid');
  const index = Number(m[1]);
  const a = c.args[index];
  const name = a ? `argument ${index} (${a.name})` : `argument ${index}`;
  const inner = m[2]!.replace(/^\//, '').replace(/\//g, '.');
  let detail = e.message ?? 'is invalid';
  if (e.keyword === 'enum') detail += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
  if (inner === '' && a) return fail(`${name} must be ${a.hint}, got ${describe(args[index])}`);
  return fail(`${name} must be ${a ? a.hint : 'valid'}; element ${inner} ${detail}`);
}
