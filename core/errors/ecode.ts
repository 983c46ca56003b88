/**
 * Ganeti's error classes for prerequisite failures (`errors.ECODE_*`). The string is what goes
 * over the wire: in LUXI/RAPI job results an OpPrereqError is `[message, <ecode string>]`.
 */
export const ECODE = Object.freeze({
  ECODE_RESOLVER: 'resolver_error',
  ECODE_NORES: 'insufficient_resources',
  ECODE_TEMP_NORES: 'temp_insufficient_resources',
  ECODE_INVAL: 'wrong_input',
  ECODE_STATE: 'wrong_state',
  ECODE_NOENT: 'unknown_entity',
  ECODE_EXISTS: 'already_exists',
  ECODE_NOTUNIQUE: 'resource_not_unique',
  ECODE_FAULT: 'internal_error',
  ECODE_ENVIRON: 'environment_error',
} as const);

export type EcodeName = keyof typeof ECODE;
export type EcodeValue = (typeof ECODE)[EcodeName];
