import { GanetiError, describeError } from '../errors/index.js';

/**
 * Ganeti's encoding of an opcode failure in job results and LUXI answers:
 * `[errorClass, [message, ecode]]` for prerequisite errors (the ECODE value tools classify
 * on), `[errorClass, [message]]` otherwise. The code is kept in the message (`CODE: text`).
 */
export function encodeError(e: unknown): [string, unknown[]] {
  if (e instanceof GanetiError) {
    if (e.ecode && e.ecode !== 'internal_error' && e.ecode !== 'environment_error') return ['OpPrereqError', [e.toLine(), e.ecode]];
    return ['OpExecError', [e.toLine()]];
  }
  return ['OpExecError', [describeError(e)]];
}

/** The message of an encoded error, for display. */
export function encodedErrorMessage(result: unknown): string {
  if (Array.isArray(result) && typeof result[0] === 'string' && Array.isArray(result[1])) return String(result[1][0] ?? result[0]);
  return typeof result === 'string' ? result : JSON.stringify(result);
}
