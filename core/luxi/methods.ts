/**
 * LUXI methods (interfaces §6) answered by the master. The server validates each request's
 * `args` against the method's schema (schemas.ts: Ganeti's positional args; job ids given as
 * digit strings arrive as integers, CancelJob's optional `kill` as false) and calls the
 * handler with them; a handler returns the result or throws (see errors.ts for how an error
 * is encoded: a GanetiError with a prerequisite ECODE becomes `["OpPrereqError", [msg, ecode]]`).
 */
export type LuxiHandler = (args: readonly unknown[], ctx: LuxiCallContext) => Promise<unknown> | unknown;

/** What a handler may use besides its arguments (a handler is free to ignore it). */
export interface LuxiCallContext {
  readonly method: LuxiMethod;
  /** The `version` the client sent, or null. */
  readonly version: number | null;
  /** Aborted when the client's connection closes or the server shuts down (e.g. to end a WaitForJobChange early). */
  readonly signal: AbortSignal;
}

export const LUXI_METHODS = Object.freeze([
  'SubmitJob', 'SubmitJobToDrainedQueue', 'SubmitManyJobs', 'WaitForJobChange', 'CancelJob', 'ArchiveJob',
  'AutoArchiveJobs', 'ChangeJobPriority', 'Query', 'QueryFields', 'QueryJobs', 'QueryClusterInfo',
  'QueryConfigValues', 'QueryTags', 'SetDrainFlag',
] as const);
export type LuxiMethod = (typeof LUXI_METHODS)[number];

export type LuxiHandlers = { readonly [M in LuxiMethod]?: LuxiHandler };
