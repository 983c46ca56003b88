import { ECODE, type EcodeName, type EcodeValue } from './ecode.js';
import { ERROR_CATALOG, type ErrorArgs, type ErrorCode } from './catalog.js';

/** Where an error came from when a plugin was involved (rollup-style attribution). */
export interface Attribution {
  plugin?: string;
  hook?: string;
}

/**
 * The one error type of ganeti-ts. `code` is stable (see the catalog), `ecode` is Ganeti's
 * ECODE_* class when one applies, `args` are the named values the message was built from.
 */
export class GanetiError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'GanetiError';
  readonly code: C;
  readonly ecodeName: EcodeName | null;
  readonly args: ErrorArgs<C>;
  plugin: string | undefined;
  hook: string | undefined;

  constructor(code: C, args: ErrorArgs<C>, options?: { cause?: unknown } & Attribution) {
    const entry = ERROR_CATALOG[code] as { ecode: EcodeName | null; message: (a: ErrorArgs<C>) => string };
    super(entry.message(args), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.ecodeName = entry.ecode;
    this.args = args;
    this.plugin = options?.plugin;
    this.hook = options?.hook;
  }

  /** Ganeti's wire value of the error class, e.g. `wrong_input`. */
  get ecode(): EcodeValue | null {
    return this.ecodeName ? ECODE[this.ecodeName] : null;
  }

  /** `GNT_CODE: message`, the single line the CLI prints. */
  toLine(): string {
    return `${this.code}: ${this.message}`;
  }
}

export const gntError = <C extends ErrorCode>(code: C, args: ErrorArgs<C>, options?: { cause?: unknown } & Attribution) =>
  new GanetiError(code, args, options);

export const isGanetiError = (e: unknown): e is GanetiError => e instanceof GanetiError;

/** A message for anything thrown, including non-Error values. */
export const describeError = (e: unknown): string =>
  e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
