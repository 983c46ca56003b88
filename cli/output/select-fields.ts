import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import type { FieldDef } from './table.js';

/**
 * Resolves `-o a,b` (or `-o +c` to append to the defaults) against the known fields.
 * Unknown names end the command with Ganeti's exit code 14.
 */
export function selectFields<R>(all: readonly FieldDef<R>[], defaults: readonly string[], spec: string | undefined): FieldDef<R>[] {
  let names = [...defaults];
  if (spec) names = spec.startsWith('+') ? [...defaults, ...spec.slice(1).split(',')] : spec.split(',');
  names = names.map((n) => n.trim()).filter(Boolean);
  const byName = new Map(all.map((f) => [f.name, f]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length) {
    process.stderr.write(`Unknown output field(s): ${unknown.join(', ')}\n`);
    throw new CliExit(EXIT.UNKNOWN_FIELD);
  }
  return names.map((n) => byName.get(n)!);
}
