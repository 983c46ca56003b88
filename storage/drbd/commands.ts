/**
 * The DRBD 8.4 commands (drbdsetup/drbdmeta syntax of drbd-utils' 8.4 mode), built as Ganeti
 * issues them: one resource per minor named `resource<minor>`, volume 0, external meta data
 * (`flex-external`). Pure functions of their inputs, so tests check the argv exactly.
 */
import { diskBarrierArgs, splitWords, type DrbdParams } from './params.js';

export type Argv = readonly string[];

/** Block major of DRBD devices. */
export const DRBD_MAJOR = 147;
/** Ganeti's HMAC algorithm for the peer authentication. */
export const DRBD_HMAC_ALG = 'md5';
/** Size of the meta device Ganeti creates, and how much of it is zeroed before create-md. */
export const DRBD_META_MIB = 128;

export const devPath = (minor: number): string => `/dev/drbd${minor}`;
export const resourceName = (minor: number): string => `resource${minor}`;

export interface NetEnd {
  readonly family: 'ipv4' | 'ipv6';
  readonly lhost: string;
  readonly rhost: string;
  readonly port: number;
}

const addr = (family: string, host: string, port: number): string => `${family}:${host}:${port}`;

/** Zeroes the start of the meta device, so drbdmeta finds no old signature or file system. */
export const wipeMetaCmd = (meta: string): Argv => ['dd', 'if=/dev/zero', `of=${meta}`, 'bs=1048576', `count=${DRBD_META_MIB}`, 'oflag=direct'];

export const initMetaCmd = (minor: number, meta: string): Argv => ['drbdmeta', '--force', devPath(minor), 'v08', meta, 'flex-external', 'create-md'];

const newResourceCmds = (minor: number): Argv[] => [
  ['drbdsetup', 'new-resource', resourceName(minor)],
  ['drbdsetup', 'new-minor', resourceName(minor), String(minor), '0'],
];

/** Configures the local disk: the activity log is applied before attach, or attach fails. */
export function localInitCmds(minor: number, data: string, meta: string, sizeMiB: number, params: DrbdParams): Argv[] {
  const attach = ['drbdsetup', 'attach', String(minor), data, meta, 'flexible', '--on-io-error=detach'];
  if (sizeMiB) attach.push('--size', `${sizeMiB}m`);
  attach.push(...diskBarrierArgs(params['disk-barriers'], params['meta-barriers']));
  attach.push(...splitWords(params['disk-custom'], 'disk-custom'));
  return [...newResourceCmds(minor), ['drbdmeta', devPath(minor), 'v08', meta, 'flex-external', 'apply-al'], attach];
}

/** Configures the network side; `dualPrimary` lets both ends be primary (live migration). */
export function netInitCmds(minor: number, net: NetEnd, protocol: string, dualPrimary: boolean, secret: string, params: DrbdParams): Argv[] {
  const connect = [
    'drbdsetup', 'connect', resourceName(minor),
    addr(net.family, net.lhost, net.port), addr(net.family, net.rhost, net.port),
    '--protocol', protocol,
    '--after-sb-0pri', 'discard-zero-changes',
    '--after-sb-1pri', 'consensus',
  ];
  if (dualPrimary) connect.push('--allow-two-primaries');
  if (secret) connect.push('--cram-hmac-alg', DRBD_HMAC_ALG, '--shared-secret', secret);
  connect.push(...splitWords(params['net-custom'], 'net-custom'));
  return [...newResourceCmds(minor), connect];
}

/**
 * Resync speed: the dynamic controller's c-* values, or the static rate. Returns an error
 * message instead when dynamic resync is asked with c-plan-ahead 0 (which disables it).
 */
export function syncParamsCmd(minor: number, params: DrbdParams): Argv | string {
  const cmd = ['drbdsetup', 'disk-options', String(minor)];
  if (!params['dynamic-resync']) return [...cmd, '--resync-rate', String(params['resync-rate'])];
  if (params['c-plan-ahead'] === 0)
    return 'c-plan-ahead 0 turns the dynamic resync controller off; set dynamic-resync to false instead';
  return [
    ...cmd,
    '--c-plan-ahead', String(params['c-plan-ahead']),
    '--c-fill-target', String(params['c-fill-target']),
    '--c-delay-target', String(params['c-delay-target']),
    '--c-max-rate', String(params['c-max-rate']),
    '--c-min-rate', String(params['c-min-rate']),
  ];
}

export const showCmd = (minor: number): Argv => ['drbdsetup', 'show', String(minor)];
export const primaryCmd = (minor: number, force: boolean): Argv => ['drbdsetup', 'primary', String(minor), ...(force ? ['--force'] : [])];
export const secondaryCmd = (minor: number): Argv => ['drbdsetup', 'secondary', String(minor)];
export const pauseSyncCmd = (minor: number): Argv => ['drbdsetup', 'pause-sync', String(minor)];
export const resumeSyncCmd = (minor: number): Argv => ['drbdsetup', 'resume-sync', String(minor)];
export const detachCmd = (minor: number): Argv => ['drbdsetup', 'detach', String(minor)];
export const disconnectCmd = (net: NetEnd): Argv => ['drbdsetup', 'disconnect', addr(net.family, net.lhost, net.port), addr(net.family, net.rhost, net.port)];
export const downCmd = (minor: number): Argv => ['drbdsetup', 'down', resourceName(minor)];
export const resizeCmd = (minor: number, sizeMiB: number): Argv => ['drbdsetup', 'resize', String(minor), '--size', `${sizeMiB}m`];
