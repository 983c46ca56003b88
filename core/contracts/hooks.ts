import type { AsyncParallelHook, AsyncSeriesBailHook, AsyncSeriesHook, SyncHook } from 'tapable';

/** An opcode as submitted (Ganeti's serialised form: `OP_ID` plus its fields). */
export interface OpCodeInput {
  readonly OP_ID: string;
  readonly [field: string]: unknown;
}

/** The job an opcode runs in, as seen by hook taps. */
export interface JobContext {
  readonly jobId: number;
  readonly opIndex: number;
  readonly signal: AbortSignal;
  /** Appends a message to the opcode's log (`gnt-job info`, `gnt-job watch`). */
  log(message: string): void;
}

/** Returned by a `before*` tap to stop the operation; the job fails with this reason. */
export interface Veto {
  readonly veto: string;
  /** Filled in by the host: the plugin whose tap vetoed. */
  readonly plugin?: string;
}

export interface OpcodeOutcome {
  readonly status: 'success' | 'error' | 'canceled';
  readonly result?: unknown;
  readonly error?: Error;
}

/** A read-only view of the configuration after a write. */
export interface ConfigSnapshot {
  readonly serial: number;
  readonly data: unknown;
}

export interface InstanceRef {
  readonly name: string;
  readonly uuid: string;
  readonly hypervisor: string;
  readonly primaryNode: string;
}

export interface DaemonInfo {
  readonly daemon: string;
  readonly nodeName: string;
}

/** Ganeti's hook object types (GANETI_OBJECT_TYPE); `NOT_APPLICABLE` only in global hooks of opcodes without hooks. */
export type HookObjectType = 'CLUSTER' | 'NODE' | 'INSTANCE' | 'GROUP' | 'NETWORK';

/** Ganeti's hooks phases (GANETI_HOOKS_PHASE, lower case as Ganeti's code sends it). */
export type HooksPhase = 'pre' | 'post';

/** A hook script environment: `PATH` plus `GANETI_*` variables, every value a string. */
export type HooksEnv = Readonly<Record<string, string>>;

/** A node hook scripts run on. */
export interface HookNode {
  readonly uuid: string;
  readonly name: string;
  /** Its primary IP address (where its node daemon listens). */
  readonly address: string;
  /** Offline nodes are not contacted; their result says so. */
  readonly offline: boolean;
  readonly master: boolean;
}

/** One node's answer to a call made through `OpcodeHooksContext.callNodes`. */
export type HookNodeResult<T = unknown> =
  | { readonly node: string; readonly success: true; readonly payload: T }
  | { readonly node: string; readonly success: false; readonly error: string; readonly offline: boolean };

/** One run of a hooks directory (`<hpath>-<phase>.d`) with its environment, on some nodes. */
export interface HooksTarget {
  readonly hpath: string;
  readonly phase: HooksPhase;
  readonly env: HooksEnv;
  readonly nodes: readonly HookNode[];
}

/**
 * What the `opcodeHooksPre`/`opcodeHooksPost` taps get: everything core knows about the
 * opcode's hooks (interfaces §3), computed by core; the taps decide what to run.
 */
export interface OpcodeHooksContext {
  readonly opcode: OpCodeInput;
  readonly job: JobContext;
  readonly phase: HooksPhase;
  /** The opcode's hooks path (`group-add`), or null when the opcode has no hooks. */
  readonly hpath: string | null;
  readonly htype: HookObjectType | null;
  /**
   * The environment of the opcode's own hooks in this phase: PATH, the common GANETI_* vars
   * and the unit's vars (`GANETI_<KEY>`; in post also `GANETI_POST_<KEY>` recomputed after exec).
   */
  readonly env: HooksEnv;
  /** Where the opcode's own hooks run in this phase; empty when they do not run (no hooks, post after a failure). */
  readonly nodes: readonly HookNode[];
  /** post: how the opcode ended (`error`: the pre hooks aborted or exec failed); null in pre. */
  readonly status: 'success' | 'error' | null;
  /**
   * Global hooks (`global-pre.d`/`global-post.d`, doc/design-global-hooks.rst): one target
   * for the master and one for the other nodes, as GANETI_IS_MASTER differs. Their results
   * never change the opcode's outcome.
   */
  readonly global: readonly HooksTarget[];
  /** post: the `config-update` hook on the master when the opcode wrote the config (env: the pre env). */
  readonly configUpdate: HooksTarget | null;
  /** Calls a node RPC procedure on `nodes` in parallel; one result per node, never rejects for a node's failure. */
  callNodes<T = unknown>(procedure: string, nodes: readonly HookNode[], args: readonly unknown[]): Promise<HookNodeResult<T>[]>;
}

export interface LoadedPluginInfo {
  readonly name: string;
  readonly version: string;
  readonly builtin: boolean;
}

/**
 * Every lifecycle hook of the host. The tapable class says what a tap may do:
 * `before*` are series-bail hooks (return a Veto to stop, undefined to go on), `after*` and
 * notifications are parallel or sync hooks that only observe. A tap that throws is reported
 * with its plugin's name and the hook's name (GNT_PLUGIN_HOOK_FAILED).
 */
export interface HostHooks {
  /** All plugins are applied. Observe only. */
  readonly pluginsLoaded: SyncHook<[readonly LoadedPluginInfo[]]>;
  /** A daemon is about to listen; a tap may prepare state. Series, no veto. */
  readonly daemonStarting: AsyncSeriesHook<[DaemonInfo]>;
  /** Before an opcode's Exec phase, on the master. A tap may veto. */
  readonly beforeOpcode: AsyncSeriesBailHook<[OpCodeInput, JobContext], Veto | undefined>;
  /**
   * The pre phase of an opcode's hooks, on the master, for every opcode once its checks
   * passed and no plugin vetoed (dry runs included). Series: a tap that throws aborts the
   * opcode with its error (the hook-scripts plugin throws GNT_HOOKS_ABORT).
   */
  readonly opcodeHooksPre: AsyncSeriesHook<[OpcodeHooksContext]>;
  /**
   * The post phase, on the master, after exec succeeded (`status: 'success'`) or after the
   * pre phase or exec failed (`status: 'error'`); never in dry runs. Series; a tap that
   * throws is reported as a warning in the job log and does not change the outcome.
   */
  readonly opcodeHooksPost: AsyncSeriesHook<[OpcodeHooksContext]>;
  /** After an opcode ended (success, error or canceled), on the master. */
  readonly afterOpcode: AsyncParallelHook<[OpCodeInput, OpcodeOutcome]>;
  /** After the configuration was written durably, on the master. */
  readonly configWritten: SyncHook<[ConfigSnapshot]>;
  /** Before an instance starts, on its primary node. A tap may veto. */
  readonly beforeInstanceStart: AsyncSeriesBailHook<[InstanceRef], Veto | undefined>;
  /** After an instance started, on its primary node. */
  readonly afterInstanceStart: AsyncParallelHook<[InstanceRef]>;
  /** After an instance stopped, on the node it ran on. */
  readonly afterInstanceStop: AsyncParallelHook<[InstanceRef]>;
  /** The process is shutting down; release what the plugin holds. */
  readonly shutdown: AsyncParallelHook<[]>;
}

export type HookName = keyof HostHooks;

/** What a plugin may do with a hook: tap it (never call it). */
export type HookTapper<H> = Pick<H, Extract<keyof H, 'tap' | 'tapAsync' | 'tapPromise'>>;

export type PluginHooks = { readonly [K in HookName]: HookTapper<HostHooks[K]> };
