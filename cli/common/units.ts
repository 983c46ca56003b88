import { GanetiError } from '../../core/errors/index.js';

const FACTORS: Record<string, number> = { '': 1, m: 1, mb: 1, mib: 1, g: 1024, gb: 1024, gib: 1024, t: 1024 * 1024, tb: 1024 * 1024, tib: 1024 * 1024 };

/**
 * A size as Ganeti's CLI reads it (`512`, `512M`, `1.5G`, `2t`): MiB when no unit is given,
 * rounded up to a multiple of 4 MiB as Ganeti does.
 */
export function parseSizeMiB(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = m ? FACTORS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `${option}: '${text}' is not a size (a number with an optional unit m, g or t)` });
  const mib = Math.ceil(Number(m[1]) * factor);
  return mib % 4 ? mib + 4 - (mib % 4) : mib;
}
