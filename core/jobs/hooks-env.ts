import { GanetiError } from '../errors/index.js';
import type { HookObjectType, HooksEnv, HooksPhase } from '../contracts/hooks.js';
import type { HookEnvValue } from './logical-unit.js';

/** Ganeti's HOOKS_VERSION. */
export const HOOKS_VERSION = 2;
/** The only PATH hook scripts get (Ganeti's HOOKS_PATH constant). */
export const HOOKS_PATH_ENV = '/sbin:/bin:/usr/sbin:/usr/bin';
/** Hooks path of the global hooks (`global-pre.d`, `global-post.d`). */
export const GLOBAL_HOOKS_PATH = 'global';
/** Hooks path of the hook run on the master after an opcode wrote the config. */
export const CONFIG_UPDATE_HOOKS_PATH = 'config-update';
/** GANETI_OBJECT_TYPE of global hooks for opcodes that have no hooks of their own. */
export const NOT_APPLICABLE = 'NOT_APPLICABLE';

/**
 * A value as Ganeti puts it in the environment (Python's str()): True/False, None, numbers
 * as written. Units render lists themselves (Ganeti joins them with spaces).
 */
export function hookValue(v: HookEnvValue | object): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/**
 * A unit's own variables with `prefix` (GANETI_ or GANETI_POST_). Keys with an `undefined`
 * value are left out: that is how a unit says "only if set" (a NIC without a name).
 */
export function prefixedVars(vars: Readonly<Record<string, HookEnvValue>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) out[`${prefix}${k}`] = hookValue(v);
  return out;
}

/** What every hook environment starts with (interfaces §3.2). */
export interface CommonEnv {
  readonly opcode: string;
  readonly dataDir: string;
  readonly phase: HooksPhase;
  readonly hpath: string;
  /** null: no GANETI_OBJECT_TYPE. */
  readonly objectType: HookObjectType | typeof NOT_APPLICABLE | null;
  readonly cluster: string;
  readonly master: string;
}

export function commonEnv(c: CommonEnv): Record<string, string> {
  return {
    PATH: HOOKS_PATH_ENV,
    GANETI_HOOKS_VERSION: String(HOOKS_VERSION),
    GANETI_OP_CODE: c.opcode,
    GANETI_DATA_DIR: c.dataDir,
    GANETI_HOOKS_PHASE: c.phase,
    GANETI_HOOKS_PATH: c.hpath,
    ...(c.objectType ? { GANETI_OBJECT_TYPE: c.objectType } : {}),
    GANETI_CLUSTER: c.cluster,
    GANETI_MASTER: c.master,
  };
}

/** Joins environments that must not overlap (Ganeti's JoinDisjointDicts); a clash is a unit bug. */
export function joinEnv(...parts: Readonly<Record<string, string>>[]): HooksEnv {
  const out: Record<string, string> = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (Object.hasOwn(out, k)) throw new GanetiError('GNT_INTERNAL', { reason: `hook variable ${k} is set twice` });
      out[k] = v;
    }
  }
  return Object.freeze(out);
}
