/**
 * The volume's FUSE mount on a node (Ganeti's GlusterVolume): the node's gluster storage dir
 * is the mount point of the one volume it uses. It is mounted on first use and left mounted:
 * every gluster disk of the node lives there, so unmounting after each operation (as Ganeti's
 * context manager does) could pull files from under running instances. Something else
 * mounted there is refused rather than written into.
 */
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { GanetiError, describeError, type ProviderContext } from '../../core/index.js';
import { TEMPLATE } from './logical-id.js';
import type { GlusterVolume } from './params.js';

export interface Mounted {
  readonly mountPoint: string;
  /** The server's address, as mounted and as put in gfapi URIs (Ganeti resolves the host too). */
  readonly ip: string;
}

const failed = (vol: GlusterVolume, action: string, reason: string, cause?: unknown): GanetiError =>
  new GanetiError('GNT_DISK_FAILED', { template: TEMPLATE, disk: `${vol.host}:/${vol.volume}`, action, reason }, cause === undefined ? undefined : { cause });

/** The server's address: Ganeti resolves the host once and uses the address for mount and URI alike. */
export async function serverIp(vol: GlusterVolume): Promise<string> {
  if (isIP(vol.host)) return vol.host;
  try {
    return (await lookup(vol.host)).address;
  } catch (e) {
    throw failed(vol, 'mount', `the host ${vol.host} does not resolve: ${describeError(e)}`, e);
  }
}

/** /proc/mounts escapes blanks and backslashes in octal. */
const unescape = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** What is mounted at `mountPoint` (the last mount wins), or null. */
async function mountAt(mountPoint: string): Promise<{ source: string; fstype: string } | null> {
  let found: { source: string; fstype: string } | null = null;
  for (const line of (await readFile('/proc/self/mounts', 'utf8')).split('\n')) {
    const [source, target, fstype] = line.split(' ');
    if (target !== undefined && fstype !== undefined && unescape(target) === mountPoint) found = { source: unescape(source!), fstype };
  }
  return found;
}

/** The volume's mount when it is in place on this node, else null; never mounts. */
export async function currentMount(vol: GlusterVolume, ctx: ProviderContext): Promise<Mounted | null> {
  const mountPoint = ctx.paths.glusterStorageDir;
  const ip = await serverIp(vol);
  const m = await mountAt(mountPoint);
  if (!m) return null;
  if (m.fstype !== 'fuse.glusterfs' || m.source !== `${ip}:/${vol.volume}`)
    throw failed(vol, 'mount', `${mountPoint} already holds ${m.source} (${m.fstype}); unmount it or fix the disk parameters`);
  return { mountPoint, ip };
}

/** Whether the folder can be read (a dead FUSE mount cannot). */
const usable = (dir: string): Promise<boolean> => readdir(dir).then(() => true, () => false);

/** Mounts the volume unless it is mounted and usable; idempotent. */
export async function ensureMounted(vol: GlusterVolume, ctx: ProviderContext): Promise<Mounted> {
  const mounted = await currentMount(vol, ctx);
  if (mounted && (await usable(mounted.mountPoint))) return mounted;
  // a FUSE mount whose client lost its volume answers ENOTCONN: take it down, mount again
  if (mounted) await ctx.run(['umount', mounted.mountPoint]);
  const mountPoint = ctx.paths.glusterStorageDir;
  const ip = await serverIp(vol);
  await mkdir(mountPoint, { recursive: true, mode: 0o750 });
  const r = await ctx.run(['mount', '-t', 'glusterfs', '-o', `server-port=${vol.port}`, `${ip}:/${vol.volume}`, mountPoint]);
  if (r.aborted || r.timedOut) throw failed(vol, 'mount', r.aborted ? 'the mount was aborted' : 'the mount timed out');
  // mount.glusterfs may exit 0 without mounting (it checks the mount only loosely): look.
  // mount.glusterfs may also mount a volume it then cannot reach: the mount answers ENOTCONN
  const ok = (await currentMount(vol, ctx)) !== null && (await usable(mountPoint));
  if (!ok && (await currentMount(vol, ctx))) await ctx.run(['umount', mountPoint]);
  if (!ok)
    throw failed(vol, 'mount', `${r.command} did not mount it (${r.all.trim().split('\n').slice(-5).join(' | ') || `exit code ${r.exitCode}`}); ` +
      `check that the volume exists, is started and that ${ip}:${vol.port} is reachable ('gluster volume info ${vol.volume}' on the server)`);
  ctx.log.info(`mounted gluster volume ${ip}:/${vol.volume} at ${mountPoint}`);
  return { mountPoint, ip };
}
