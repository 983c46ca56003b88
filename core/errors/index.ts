export { ECODE, type EcodeName, type EcodeValue } from './ecode.js';
export { ERROR_CATALOG, type ErrorCode, type ErrorArgs, type HookFailure } from './catalog.js';
export { GanetiError, gntError, isGanetiError, describeError, type Attribution } from './ganeti-error.js';
export { encodeError, isEncodedError, type EncodedError } from './encode.js';
