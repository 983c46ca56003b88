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
