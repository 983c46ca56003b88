/**
 * What the drbd provider and its mirror operations share: reading this node's DRBD status
 * (/proc/drbd and `drbdsetup show`, both under the node root so a test root can hold them),
 * running command lists, and the local/network assembly steps.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { GanetiError, check, type DeviceAccess, type DiskSpec, type ProviderContext } from '../../core/index.js';
import {
  DRBD_MAJOR, DRBD_META_MIB, devPath, disconnectCmd, initMetaCmd, localInitCmds, netInitCmds, showCmd, syncParamsCmd, wipeMetaCmd,
  type Argv, type NetEnd,
} from './commands.js';
import type { DrbdEnd } from './dyn-params.js';
import { TEMPLATE } from './logical-id.js';
import type { DrbdParams } from './params.js';
import { isInUse, parseProcDrbd, type MinorStatus, type ProcDrbd } from './proc-drbd.js';
import { parseShow, type ShowInfo } from './show-info.js';

const MIB = 1024 * 1024;
/** Ganeti's bound on minors it allocates. */
const MAX_USED_MINOR = 255;

export const procDrbdPath = (ctx: ProviderContext): string => ctx.paths.under('/proc/drbd');

export async function readProcDrbd(ctx: ProviderContext): Promise<ProcDrbd> {
  const file = procDrbdPath(ctx);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GanetiError('GNT_DRBD_STATUS_UNREADABLE', { file, reason: code === 'ENOENT' ? 'it does not exist; is the DRBD kernel module loaded?' : String(e) }, { cause: e });
  }
  return parseProcDrbd(text, file);
}

export async function minorStatus(ctx: ProviderContext, minor: number): Promise<MinorStatus | undefined> {
  return (await readProcDrbd(ctx)).minors.get(minor);
}

/** The status of the disk's minor, which must be configured (assembled) here. */
export async function configuredStatus(ctx: ProviderContext, spec: DiskSpec, minor: number, action: string): Promise<MinorStatus> {
  const status = await minorStatus(ctx, minor);
  if (!isInUse(status)) throw new GanetiError('GNT_DISK_NOT_ASSEMBLED', { template: TEMPLATE, disk: spec.uuid, node: ctx.nodeName, action });
  return status!;
}

export const access = (minor: number): DeviceAccess => ({ devPath: devPath(minor), uris: [], major: DRBD_MAJOR, minor });

/** Runs each command in turn; the first failure throws (with the tool's output). */
export async function runAll(ctx: ProviderContext, cmds: readonly Argv[]): Promise<void> {
  for (const argv of cmds) check(await ctx.run(argv));
}

export async function show(ctx: ProviderContext, minor: number): Promise<ShowInfo> {
  return parseShow(check(await ctx.run(showCmd(minor))).stdout);
}

/** Calls `attempt` until it returns true, waiting `delayMs` between tries, for at most `timeoutMs`. */
export async function retry(ctx: ProviderContext, attempt: () => Promise<boolean>, delayMs: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await attempt()) return true;
    if (Date.now() + delayMs > end) return false;
    await sleep(delayMs, undefined, { signal: ctx.signal });
  }
}

/** Bytes of a block device (`blockdev --getsize64`). */
export async function blockDevSize(ctx: ProviderContext, path: string): Promise<number> {
  const out = check(await ctx.run(['blockdev', '--getsize64', path])).stdout.trim();
  if (!/^\d+$/.test(out)) throw new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: path, action: 'measure', reason: `blockdev printed ${JSON.stringify(out)}` });
  return Number(out);
}

/** The meta device must hold the 128 MiB DRBD uses; above 1 GiB it is surely a wrong device. */
export async function checkMetaSize(ctx: ProviderContext, spec: DiskSpec, meta: string): Promise<void> {
  const bytes = await blockDevSize(ctx, meta);
  const mib = (bytes / MIB).toFixed(2);
  if (bytes < DRBD_META_MIB * MIB) throw new GanetiError('GNT_DRBD_META_SIZE', { disk: spec.uuid, path: meta, problem: `is too small (${mib} MiB)` });
  if (bytes > 1024 * MIB) throw new GanetiError('GNT_DRBD_META_SIZE', { disk: spec.uuid, path: meta, problem: `is too big (${mib} MiB)` });
}

/** Zeroes and initializes the meta data; `minor` only names the device to drbdmeta. */
export async function initMeta(ctx: ProviderContext, minor: number, meta: string): Promise<void> {
  await runAll(ctx, [wipeMetaCmd(meta), initMetaCmd(minor, meta)]);
}

/** The lowest minor not in use (drbdmeta refuses to write meta data for a minor in use). */
export function unusedMinor(proc: ProcDrbd, spec: DiskSpec): number {
  let highest = -1;
  for (const [minor, status] of proc.minors) {
    if (!isInUse(status)) return minor;
    highest = Math.max(highest, minor);
  }
  if (highest >= MAX_USED_MINOR) throw new GanetiError('GNT_DRBD_STATE', { disk: spec.uuid, minor: String(highest), action: 'find a free minor', state: `all minors up to ${MAX_USED_MINOR} are in use` });
  return highest + 1;
}

/** Applies the resync parameters; the error messages, empty when applied. */
export async function setMinorSyncParams(ctx: ProviderContext, minor: number, params: DrbdParams): Promise<string[]> {
  const cmd = syncParamsCmd(minor, params);
  if (typeof cmd === 'string') return [cmd];
  try {
    check(await ctx.run(cmd));
    return [];
  } catch (e) {
    if (e instanceof GanetiError && e.code === 'GNT_EXEC_ABORTED') throw e;
    return [`cannot change the resync parameters of drbd${minor}: ${(e as Error).message}`];
  }
}

const syncFailed = (spec: DiskSpec, minor: number, errors: readonly string[]) =>
  new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: spec.uuid, action: `set the resync parameters of drbd${minor}`, reason: errors.join('; ') });

/** Attaches the local disks, then sets the resync speed (DRBD 8.4 wants it after attach). */
export async function assembleLocal(ctx: ProviderContext, spec: DiskSpec, minor: number, data: string, meta: string, params: DrbdParams): Promise<void> {
  await runAll(ctx, localInitCmds(minor, data, meta, spec.size, params));
  let errors: string[] = [];
  // The disk configuration may take a moment to settle in the kernel, as Ganeti saw.
  if (!(await retry(ctx, async () => (errors = await setMinorSyncParams(ctx, minor, params)).length === 0, 1000, 5000))) throw syncFailed(spec, minor, errors);
}

export const netEnd = (end: DrbdEnd): NetEnd | null => (end.net ? { ...end.net, port: end.port } : null);

const addrMatches = (info: ShowInfo, net: NetEnd): boolean =>
  info.localAddr?.[0] === net.lhost && info.localAddr[1] === net.port && info.remoteAddr?.[0] === net.rhost && info.remoteAddr[1] === net.port;

/** Connects to the peer and waits until `drbdsetup show` reports the addresses asked for. */
export async function assembleNet(ctx: ProviderContext, spec: DiskSpec, end: DrbdEnd, net: NetEnd, params: DrbdParams, dualPrimary: boolean): Promise<void> {
  // Migration needs synchronous replication whatever the disk's protocol.
  const protocol = dualPrimary ? 'C' : params.protocol;
  await runAll(ctx, netInitCmds(end.minor, net, protocol, dualPrimary, end.secret, params));
  if (!(await retry(ctx, async () => addrMatches(await show(ctx, end.minor), net), 1000, 10_000)))
    throw new GanetiError('GNT_DRBD_STATE', { disk: spec.uuid, minor: String(end.minor), action: 'connect', state: 'drbdsetup show does not report the addresses after connect (timed out)' });
}

/** Disconnects using the addresses the minor has now (which may be another peer's). */
export async function disconnectAddrs(ctx: ProviderContext, info: ShowInfo): Promise<void> {
  const [lhost, port] = info.localAddr!;
  const [rhost] = info.remoteAddr ?? info.localAddr!;
  check(await ctx.run(disconnectCmd({ family: lhost.includes(':') ? 'ipv6' : 'ipv4', lhost, rhost, port })));
}

export interface Children {
  readonly data: string;
  readonly meta: string;
}

/** The data and meta device paths from the children's access, or null for a diskless device. */
export function childPaths(spec: DiskSpec, children: readonly DeviceAccess[]): Children | null {
  if (children.length === 0) return null;
  const [data, meta] = children.map((c) => c.devPath);
  if (children.length !== 2 || !data || !meta)
    throw new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk: spec.uuid, reason: 'a drbd disk needs two children with device paths: the data device, then the meta device' });
  return { data, meta };
}

export const matchesLocal = (info: ShowInfo, children: Children | null): boolean =>
  children
    ? info.localDev === children.data && info.metaDev === children.meta && (info.metaIndex === undefined || info.metaIndex === 0)
    : info.localDev === undefined && info.metaDev === undefined;

export const matchesNet = (info: ShowInfo, net: NetEnd | null): boolean =>
  net ? addrMatches(info, net) : info.localAddr === undefined && info.remoteAddr === undefined;
