/**
 * The `rbd` command line as Ganeti drives it (lib/storage/bdev.py): the subcommand first,
 * `-p <pool>` for the pool and, when a client id is configured, `--id <id>` last. rbd exits
 * with the errno of the failure, which tells "exists" and "absent" apart from real errors.
 */
import { GanetiError, check, type ProviderContext, type RunResult } from '../../core/index.js';
import { TEMPLATE } from './logical-id.js';
import type { RbdImage } from './params.js';

export const ENOENT = 2;
export const EEXIST = 17;

export const rbdArgv = (img: RbdImage, args: readonly string[]): string[] => ['rbd', ...args, ...(img.userId ? ['--id', img.userId] : [])];

/**
 * The Ceph configuration the node daemon was started with (`CEPH_CONF`), or undefined for
 * Ceph's default /etc/ceph/ceph.conf. It is handed to rbd, and put into qemu's URI, so that a
 * node can use a Ceph cluster whose configuration lives elsewhere (as the tests' does).
 */
export const cephConf = (): string | undefined => process.env['CEPH_CONF'] || undefined;

export const rbd = (img: RbdImage, args: readonly string[], ctx: ProviderContext): Promise<RunResult> => {
  const conf = cephConf();
  return ctx.run(rbdArgv(img, args), conf ? { env: { CEPH_CONF: conf } } : {});
};

export const failed = (img: RbdImage, action: string, reason: string, cause?: unknown): GanetiError =>
  new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: img.label, action, reason }, cause === undefined ? undefined : { cause });

export const notFound = (img: RbdImage, ctx: ProviderContext): GanetiError =>
  new GanetiError('GNT_DISK_NOT_FOUND', { template: TEMPLATE, disk: img.label, node: ctx.nodeName });

/** `rbd info --format json`: the image's size in bytes, or null when it does not exist. */
export async function imageSize(img: RbdImage, ctx: ProviderContext): Promise<number | null> {
  const r = await rbd(img, ['info', '-p', img.pool, img.name, '--format', 'json'], ctx);
  if (r.exitCode === ENOENT) return null;
  check(r);
  let size: unknown;
  try {
    size = (JSON.parse(r.stdout) as { size?: unknown }).size;
  } catch (e) {
    throw failed(img, 'read the info of', `rbd info printed no JSON: ${r.stdout.slice(0, 200)}`, e);
  }
  if (typeof size !== 'number' || !Number.isFinite(size)) throw failed(img, 'read the info of', `rbd info gave no numeric size: ${r.stdout.slice(0, 200)}`);
  return size;
}

/** One row of `rbd showmapped --format json` (a list since Ceph mimic, an object before). */
interface MappedRow {
  readonly pool?: unknown;
  readonly namespace?: unknown;
  readonly name?: unknown;
  readonly snap?: unknown;
  readonly device?: unknown;
}

/**
 * The device the image is mapped to in `showmapped` JSON output, or null. Only mappings of
 * the image itself count (not of its snapshots, not in a namespace); two mappings of the
 * same image are an error, as in Ganeti, since either could be the one in use.
 */
export function findMapping(output: string, img: RbdImage): string | null {
  let rows: unknown;
  try {
    rows = JSON.parse(output);
  } catch (e) {
    throw failed(img, 'look up the mapping of', `rbd showmapped printed no JSON: ${output.slice(0, 200)}`, e);
  }
  if (rows && typeof rows === 'object' && !Array.isArray(rows)) rows = Object.values(rows);
  if (!Array.isArray(rows)) throw failed(img, 'look up the mapping of', `rbd showmapped printed ${output.slice(0, 200)}`);
  const devices = (rows as MappedRow[])
    .filter((r) => r.pool === img.pool && r.name === img.name && (r.namespace ?? '') === '' && (r.snap ?? '-') === '-')
    .map((r) => r.device);
  if (devices.length > 1) throw failed(img, 'use', `it is mapped more than once (${devices.join(', ')})`);
  const [device] = devices;
  if (device === undefined) return null;
  if (typeof device !== 'string' || !device.startsWith('/dev/')) throw failed(img, 'look up the mapping of', `rbd showmapped gave the device ${JSON.stringify(device)}`);
  return device;
}

/** The kernel device the image is mapped to on this node, or null. Like Ganeti, without --id: it only reads sysfs. */
export async function mappedDevice(img: RbdImage, ctx: ProviderContext): Promise<string | null> {
  const r = check(await ctx.run(['rbd', 'showmapped', '--format', 'json']));
  return findMapping(r.stdout, img);
}
