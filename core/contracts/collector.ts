/**
 * Data collectors of the monitoring daemon (interfaces §8).
 *
 * mond runs on every node. Each tick (5 s) it calls `update` of the active stateful
 * collectors; when a report is asked for (`/1/report/all`, `/1/report/<category>/<name>`)
 * it calls `collect` and wraps the data in a Report. The collector's name is the name it is
 * registered under (`host.collectors.register('diskstats', ...)`); activation and interval
 * come from the cluster's `data_collectors`. A collector never touches the configuration.
 *
 * Collector state machine, on one node:
 * ```
 *            activate (data_collectors.active)          deactivate
 *  inactive ─────────────────────────────────► active ────────────► inactive (state dropped)
 *                                              │  ▲
 *                                 update (tick)└──┘  collect (report asked) reads, never blocks update
 * ```
 * A stateless collector computes in `collect`; a stateful one (cpu-avg-load) samples in
 * `update` into a bounded buffer and `collect` summarises it. Before the first `update` a
 * stateful collector reports what it has (possibly nothing), not an error.
 * Failures are thrown as a GanetiError (core/errors); mond leaves that collector out of
 * `/1/report/all` and answers its own report with an error.
 */
import type { ProviderContext } from './context.js';
import type { ProviderBase } from './provider.js';

/** Category of a collector; null is listed and addressed as `default`. */
export type CollectorCategory = 'storage' | 'instance' | 'daemon' | 'hypervisor';

/** 0: performance data, 1: status data (carries `data.status`). */
export type CollectorKind = 0 | 1;

/**
 * Status codes of status-kind reports: 0 ok; 1 temporarily bad, being fixed automatically;
 * 2 unknown, cannot tell; 4 bad, needs intervention. A code may be an OR of several.
 */
export type StatusCode = 0 | 1 | 2 | 4;

/** `data.status` of a status-kind report. */
export interface CollectorStatus {
  /** An OR of StatusCode values. */
  readonly code: number;
  /** Human-readable explanation; may be empty when the code is 0. */
  readonly message: string;
}

/** What a status-kind collector returns: its data plus `status`. */
export interface StatusData {
  readonly status: CollectorStatus;
  readonly [key: string]: unknown;
}

/** A report as mond serves it (Ganeti's field names). */
export interface Report<D = unknown> {
  readonly name: string;
  /** `"B"` for built-in collectors; the plugin's version for third-party ones. */
  readonly version: string;
  readonly format_version: number;
  /** Nanoseconds since the epoch, serialised as an integer. */
  readonly timestamp: number;
  readonly category: CollectorCategory | null;
  readonly kind: CollectorKind;
  readonly data: D;
}

/**
 * A data collector. Stateless collectors compute everything in `collect`; stateful ones
 * (`cpu-avg-load`) sample in `update` and summarise their buffer in `collect`.
 */
export interface CollectorProvider<D = unknown> extends ProviderBase {
  readonly category: CollectorCategory | null;
  readonly kind: CollectorKind;
  /** Version of the shape of `data`; bump on incompatible changes. */
  readonly formatVersion: number;
  /** True when the collector keeps samples between calls (and has `update`). */
  readonly stateful: boolean;
  /**
   * On the node, when a report is requested: returns the report's `data` (a status-kind
   * collector returns StatusData). Must not block for long; throws GanetiError when no data
   * can be produced.
   */
  collect(ctx: ProviderContext): Promise<D>;
  /** On the node, every tick while active: takes one sample. Present iff `stateful`. */
  update?(ctx: ProviderContext): Promise<void>;
}

/** Methods every collector has; the host refuses a registration lacking one. */
export const COLLECTOR_REQUIRED_METHODS = Object.freeze(['collect'] as const satisfies readonly (keyof CollectorProvider)[]);
