import { ECODE } from './ecode.js';
import { GanetiError, describeError } from './ganeti-error.js';

/**
 * Ganeti's encoding of an error (`errors.EncodeException`) in job results and LUXI answers:
 * the exception class and its arguments, `["OpPrereqError", ["CODE: message", ecode]]`.
 * Ganeti's clients re-raise the named class, so the class decides what they print.
 */
export type EncodedError = [errorClass: string, args: unknown[]];

/** Codes that have a class of their own in Ganeti's errors module. */
const SPECIAL_CLASS: Readonly<Record<string, string>> = Object.freeze({
  GNT_JOB_QUEUE_DRAINED: 'JobQueueDrainError',
  GNT_JOB_QUEUE_FULL: 'JobQueueFull',
  GNT_LUXI_PROTOCOL: 'ProtocolError',
  GNT_HOOKS_FAILURE: 'HooksFailure',
});

/**
 * - a GanetiError with a prerequisite-type ECODE (all but internal_error and
 *   environment_error) → `["OpPrereqError", ["CODE: message", ecode]]`;
 * - the queue's drained/full errors, protocol errors and hook failures → their own Ganeti
 *   classes (`["HooksAbort", [[[node, script, output], ...]]]` as Ganeti sends it);
 * - any other GanetiError → `["OpExecError", ["CODE: message"]]`;
 * - anything else → `["GenericError", [message]]`.
 */
export function encodeError(e: unknown): EncodedError {
  if (e instanceof GanetiError) {
    // Ganeti's HooksAbort carries the failures themselves: [[node, script, output], ...]
    if (e.code === 'GNT_HOOKS_ABORT') return ['HooksAbort', [(e.args as { failures: unknown[] }).failures.map((f) => [...(f as string[])])]];
    const special = SPECIAL_CLASS[e.code];
    if (special) return [special, [e.toLine()]];
    const ecode = e.ecode;
    if (ecode && ecode !== ECODE.ECODE_FAULT && ecode !== ECODE.ECODE_ENVIRON) return ['OpPrereqError', [e.toLine(), ecode]];
    return ['OpExecError', [e.toLine()]];
  }
  return ['GenericError', [describeError(e)]];
}

/** Whether `v` has the shape of an encoded error (`[string, list]`). */
export const isEncodedError = (v: unknown): v is EncodedError =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Array.isArray(v[1]);
