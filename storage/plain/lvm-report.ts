/**
 * Running LVM's tools and reading their reports (lvs, vgs, pvs), shared by the plain
 * provider and the lvm-vg / lvm-pv storage units. Reports use Ganeti's options: no headings,
 * no unit suffix, `|` between fields, one row a line.
 */
import { check, type GanetiError, type ProviderContext, type RunResult } from '../../core/index.js';

export const SEP = '|';

/** The usual variables, and LVM_SYSTEM_DIR: a node whose lvm.conf is not in /etc/lvm keeps it. */
const INHERIT = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'LVM_SYSTEM_DIR'];

/** Runs an LVM command. LVM warns on stderr about every inherited descriptor unless told not to. */
export const lvm = (ctx: ProviderContext, argv: readonly string[]): Promise<RunResult> =>
  ctx.run(argv, { env: { LVM_SUPPRESS_FD_WARNINGS: '1' }, inheritEnv: INHERIT });

/**
 * The reason a command that ran failed, for a message: its exit code and last output lines.
 * A command that could not run (not installed, cancelled, timed out) throws core/exec's own
 * error instead (GNT_EXEC_NOT_FOUND, GNT_EXEC_ABORTED, GNT_EXEC_TIMEOUT).
 */
export const failure = (r: RunResult): string => {
  if (r.notFound || r.aborted || r.timedOut) check(r);
  // the tool's last lines, without the warnings LVM prints when activation is disabled
  const tail = (r.all || r.stderr)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^WARNING: Activation disabled/.test(l))
    .slice(-5)
    .join('\n');
  const how = r.exitCode !== null ? `exited with code ${r.exitCode}` : `was killed by ${r.signal}`;
  return `${r.command} ${how}${tail ? `: ${tail}` : ''}`;
};

export type ReportUnits = 'm' | 'b';

/**
 * A report of `fields` (`lvs`, `vgs` or `pvs`) as rows of strings. Resolves null when LVM
 * says the volume group named in `args` does not exist; throws `fail(reason)` otherwise.
 */
export async function report(
  ctx: ProviderContext,
  command: 'lvs' | 'vgs' | 'pvs',
  fields: readonly string[],
  args: readonly string[],
  units: ReportUnits,
  fail: (reason: string) => GanetiError,
): Promise<string[][] | null> {
  const r = await lvm(ctx, [command, '--noheadings', `--units=${units}`, '--nosuffix', '--unbuffered', `--separator=${SEP}`, '-o', fields.join(','), ...args]);
  if (!r.ok) {
    if (r.exitCode !== null && /Volume group "[^"]*" not found/.test(r.stderr)) return null;
    throw fail(failure(r));
  }
  const rows: string[][] = [];
  for (const line of r.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const cells = line.trim().split(SEP);
    if (cells.length !== fields.length) throw fail(`cannot parse ${command} output line ${JSON.stringify(line)}`);
    rows.push(cells);
  }
  return rows;
}

/** A size LVM printed (`12.00`), rounded to a whole number as Ganeti does. */
export const parseSize = (value: string): number => Math.round(Number.parseFloat(value));

/** One physical volume (Ganeti's LvmPvInfo); sizes in MiB. */
export interface PvInfo {
  readonly name: string;
  readonly vgName: string;
  readonly size: number;
  readonly free: number;
  readonly attr: string;
}

export const pvAllocatable = (attr: string): boolean => attr.startsWith('a');
/** Holds no extent (Ganeti allows 1 MiB of rounding). */
export const pvIsEmpty = (pv: PvInfo): boolean => pv.size <= pv.free + 1;

/** The PVs of volume group `vg`, only the allocatable ones unless asked (Ganeti's GetPVInfo). */
export async function pvsOf(ctx: ProviderContext, vg: string, allocatableOnly: boolean, fail: (reason: string) => GanetiError): Promise<PvInfo[]> {
  const rows = (await report(ctx, 'pvs', ['pv_name', 'vg_name', 'pv_free', 'pv_attr', 'pv_size'], [], 'm', fail)) ?? [];
  return rows
    .map(([name, vgName, free, attr, size]) => ({ name: name!, vgName: vgName!, free: Number.parseFloat(free!), attr: attr!, size: Number.parseFloat(size!) }))
    .filter((pv) => pv.vgName === vg && (!allocatableOnly || pvAllocatable(pv.attr)));
}

/** Ganeti's share of the smallest PV a disk may use with exclusive storage (margin and reserve off). */
const PART_MARGIN = 0.01;
const PART_RESERVED = 0.02;
export const stdPvSize = (pvs: readonly PvInfo[]): number => Math.floor(Math.min(...pvs.map((p) => p.size)) / (1 + PART_MARGIN + PART_RESERVED));
