import { ECODE, GanetiError, encodeError, isEncodedError, type EcodeName, type EcodeValue, type EncodedError } from '../errors/index.js';

export { isEncodedError, type EncodedError };

/** Encodes anything a handler threw; an error relayed from another LUXI server passes as it came. */
export function encodeLuxiError(e: unknown): EncodedError {
  if (e instanceof LuxiRemoteError) return [e.errorClass, [...e.errorArgs]];
  return encodeError(e);
}

const ECODE_NAMES = new Map<string, EcodeName>(Object.entries(ECODE).map(([name, value]) => [value, name as EcodeName]));

/**
 * An error answer from a LUXI server, as the client raises it: a GanetiError
 * (GNT_LUXI_REMOTE) that keeps Ganeti's class, arguments and ECODE. Its `toLine()` is the
 * server's message (which starts with the server's own code, e.g. `GNT_JOB_NOT_FOUND: ...`),
 * and `ecode` is the ECODE the server sent, so the CLI prints it as Ganeti does.
 */
export class LuxiRemoteError extends GanetiError<'GNT_LUXI_REMOTE'> {
  /** Ganeti's exception class, e.g. `OpPrereqError`; `RequestError` for a bare string answer. */
  readonly errorClass: string;
  /** The exception's arguments as sent (`[message, ecode?]`). */
  readonly errorArgs: readonly unknown[];
  /** The message (first argument). */
  readonly remoteMessage: string;
  /** The ganeti-ts code at the start of the message, when the server is ganeti-ts. */
  readonly remoteCode: string | null;
  readonly #ecode: EcodeValue | null;

  constructor(result: unknown) {
    const [errorClass, errorArgs] = isEncodedError(result) ? result : ['RequestError', [typeof result === 'string' ? result : JSON.stringify(result)]];
    const first = errorArgs[0];
    const message = typeof first === 'string' ? first : errorArgs.length ? JSON.stringify(errorArgs.length === 1 ? first : errorArgs) : errorClass;
    super('GNT_LUXI_REMOTE', { errorClass, message });
    this.errorClass = errorClass;
    this.errorArgs = Object.freeze([...errorArgs]);
    this.remoteMessage = message;
    this.remoteCode = /^(GNT_[A-Z0-9_]+): /.exec(message)?.[1] ?? null;
    const wire = typeof errorArgs[1] === 'string' ? errorArgs[1] : null;
    this.#ecode = wire !== null && ECODE_NAMES.has(wire) ? (wire as EcodeValue) : null;
    // The class's ECODE is the server's, not the catalog's (GNT_LUXI_REMOTE has none).
    Object.defineProperty(this, 'ecodeName', { value: this.#ecode ? ECODE_NAMES.get(this.#ecode)! : null, enumerable: true });
  }

  override get ecode(): EcodeValue | null {
    return this.#ecode;
  }

  override toLine(): string {
    return this.remoteCode ? this.remoteMessage : `${this.errorClass}: ${this.remoteMessage}`;
  }
}
