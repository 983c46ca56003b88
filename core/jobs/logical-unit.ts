import type { PluginHost } from '../plugin-host/host.js';
import type { HookObjectType } from '../contracts/hooks.js';
import type { OpCode } from './opcodes/definitions.js';
import type { RpcClient } from '../rpc/index.js';
import type { ConfigTxn, FrozenConfig, UpdateResult } from '../config/index.js';

/** Lock levels in acquisition order (design: cluster > instance > nodegroup > network > node > node-res). */
export const LOCK_LEVELS = Object.freeze(['cluster', 'instance', 'nodegroup', 'network', 'node', 'node-res'] as const);
export type LockLevelName = (typeof LOCK_LEVELS)[number];
export const BGL = 'BGL';
/** A whole level (Ganeti's ALL_SET). */
export const ALL_SET = 'ALL' as const;

export type NeededLocks = Partial<Record<LockLevelName, readonly string[] | typeof ALL_SET>>;

/** What a logical unit may use while it runs. */
export interface UnitContext {
  readonly jobId: number;
  readonly opIndex: number;
  readonly signal: AbortSignal;
  readonly host: PluginHost;
  /** Read access to the cluster configuration (null before `gnt-cluster init`). */
  readonly config: ConfigReader | null;
  /** The master's node RPC client, created on first use (GNT_INTERNAL where the processor has none). */
  rpc(): Promise<RpcClient>;
  /** Appends a message to the opcode's log (shown by the CLI while it polls). */
  feedback(message: string): void;
}

/**
 * The config store as a unit sees it: `data` is the current snapshot (deep-frozen); changes go
 * through `update`, which writes durably and then distributes (see core/config/store.ts).
 */
export interface ConfigReader {
  readonly data: FrozenConfig;
  update<T>(mutator: (txn: ConfigTxn) => T | Promise<T>): Promise<UpdateResult<T>>;
}

export type { HookObjectType } from '../contracts/hooks.js';

/** Where an opcode's hook scripts run: node UUIDs per phase (interfaces §3.3). */
export interface HookNodes {
  readonly pre: readonly string[];
  readonly post: readonly string[];
}

/** Values of a unit's hook environment; rendered as Ganeti does (True/False, None, numbers). */
export type HookEnvValue = string | number | boolean | null | undefined;

/**
 * A logical unit: the code of one opcode, run in Ganeti's phases by the processor.
 * 1. checkArguments: syntax beyond the schema, no config or locks;
 * 2. expandNames: turn names into UUIDs and fill `neededLocks` (and `shareLocks`);
 * 3. declareLocks(level): refine a level's locks once the levels above are held;
 * 4. checkPrereq: check the cluster state under the locks (raise ECODE_* errors);
 * 5. the `beforeOpcode` hook (plugins may veto), then the pre hooks (`opcodeHooksPre`: hook scripts);
 * 6. exec: do the work, reporting progress through `feedback`;
 * 7. the post hooks (`opcodeHooksPost`), then the `afterOpcode` hook, with the outcome.
 * `hooksEnv`/`hooksNodes` describe the hook-script environment for opcodes that have hooks.
 */
export abstract class LogicalUnit<Op extends OpCode = OpCode> {
  /** Needs the Big Ganeti Lock exclusively (legacy, global operations). */
  readonly requiresBgl: boolean = true;
  /** Hook path (`instance-start`, ...) or null for opcodes without hooks. */
  readonly hookPath: string | null = null;
  /** GANETI_OBJECT_TYPE of the hooks (set with hookPath). */
  readonly hookType: HookObjectType | null = null;
  neededLocks: NeededLocks = {};
  /** Levels to take in shared mode. */
  shareLocks: Partial<Record<LockLevelName, boolean>> = {};

  constructor(
    readonly op: Op,
    readonly ctx: UnitContext,
  ) {}

  checkArguments(): void {}
  expandNames(): void | Promise<void> {}
  declareLocks(_level: LockLevelName): void {}
  checkPrereq(): void | Promise<void> {}
  abstract exec(): Promise<unknown>;
  /**
   * The unit's own hook variables without the GANETI_ prefix (`NODE_NAME`, `OP_TARGET`...);
   * called after checkPrereq for the pre phase and again after exec for the post phase.
   */
  hooksEnv(): Record<string, HookEnvValue> {
    return {};
  }
  /** Node UUIDs where the pre and post hooks run (called after checkPrereq). */
  hooksNodes(): HookNodes {
    return { pre: [], post: [] };
  }
}

/**
 * What a unit returns to have more jobs submitted (Ganeti's ResultWithJobs): each entry a
 * job (a list of opcodes). The opcode's result becomes `{jobs: [[true, id] | [false, error],
 * ...], ...other}`, so callers (gnt-node migrate, RAPI) follow the jobs as Ganeti's do.
 */
export class ResultWithJobs {
  constructor(
    readonly jobs: readonly (readonly Record<string, unknown>[])[],
    readonly other: Readonly<Record<string, unknown>> = {},
  ) {}
}

export type UnitClass<Op extends OpCode> = new (op: Op, ctx: UnitContext) => LogicalUnit<Op>;
