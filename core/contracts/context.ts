import type { GanetiPaths } from '../paths.js';
import type { Runner } from '../exec/types.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * What the core hands a provider on every call, on the node where the call runs. Providers
 * spawn processes only through `run` (it carries the job's AbortSignal, so cancelling a job
 * kills its children) and never read or write the cluster configuration.
 */
export interface ProviderContext {
  /** Aborted when the job is cancelled or the daemon shuts down. */
  readonly signal: AbortSignal;
  /** core/exec bound to `signal`; tests substitute a recorder to check exact argv. */
  readonly run: Runner;
  readonly log: Logger;
  /** All paths of this node, derived from its root prefix. */
  readonly paths: GanetiPaths;
  /** Name of the node this call runs on. */
  readonly nodeName: string;
}
