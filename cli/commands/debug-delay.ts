import { GanetiError } from '../../core/errors/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';

export interface DelayOptions extends OpcodeOptions {
  /** false with `--no-master` */
  master: boolean;
  /** `-n node`, repeatable */
  node?: string[];
  repeat?: string;
  interruptible?: boolean;
  locks?: boolean;
  noLocks?: boolean;
}

/** A number of seconds as Python's float() reads it. */
function parseDuration(text: string): number {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `could not convert string to float: '${text}'` });
  return Number(t);
}

function parseRepeat(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^[+-]?\d+$/.test(text.trim())) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `option -r: invalid integer value: '${text}'` });
  return Number.parseInt(text, 10);
}

/**
 * `gnt-debug delay <duration>` (Ganeti's gnt_debug.Delay): submits OP_TEST_DELAY with
 * Ganeti's fields and follows the job (or prints `JobID: N` with --submit).
 */
export async function delay(duration: string, opts: DelayOptions): Promise<void> {
  const op = {
    OP_ID: 'OP_TEST_DELAY',
    duration: parseDuration(duration),
    on_master: opts.master,
    on_nodes: opts.node ?? [],
    repeat: parseRepeat(opts.repeat),
    interruptible: opts.interruptible ?? false,
    no_locks: opts.noLocks ?? false,
  };
  await submitAndWait([op], opts, { binary: 'gnt-debug', command: 'delay' });
}
