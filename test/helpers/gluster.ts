/**
 * A one-node, one-brick Gluster volume for tests (substrate.md): glusterd in a network
 * namespace of its own, the brick host an address on a bridge inside it (Gluster refuses
 * loopback addresses for bricks). glusterd's state and run folders are moved under the test's
 * folder; what it still writes to fixed places (/var/lib/glusterd, /run/gluster,
 * /var/log/glusterfs, /run/glusterd.socket, the CLI's socket) is noted before start and what
 * is new is removed at stop. The CLI socket is global, so only one such glusterd can run.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runChecked, spawnDetached } from '../../core/exec/index.js';
import type { RunOptions, Runner } from '../../core/exec/types.js';

export interface GlusterServer {
  readonly netns: string;
  /** The brick host's address (on a bridge in the namespace). */
  readonly ip: string;
  readonly volume: string;
  readonly brick: string;
  readonly dir: string;
  /** Runs argv in the server's network namespace (mounts stay visible to the test). */
  readonly exec: Runner;
  readonly startMs: number;
  stop(): Promise<void>;
}

const IP = '10.212.0.1';
const GLOBAL_DIRS = ['/var/lib/glusterd', '/run/gluster', '/var/log/glusterfs'];
const GLOBAL_FILES = ['/run/glusterd.socket'];

/** Why a Gluster server cannot run here, or null when it can. */
export async function glusterMissing(): Promise<string | null> {
  const path = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
  for (const tool of ['glusterd', 'gluster', 'mount.glusterfs']) {
    if (!(await run(['sh', '-c', `command -v ${tool}`], { env: { PATH: path } })).ok)
      return `${tool} is not installed (apt-get install glusterfs-server glusterfs-client)`;
  }
  if (process.getuid?.() !== 0) return 'glusterd and FUSE mounts need root';
  if ((await run(['pgrep', '-x', 'glusterd'])).ok) return 'another glusterd runs on this machine (its CLI socket /run/glusterd.socket is global)';
  return null;
}

/** Every path below the fixed folders glusterd writes to, and the fixed files that exist. */
async function globalPaths(): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const dir of GLOBAL_DIRS) {
    for (const entry of await readdir(dir, { recursive: true }).catch(() => [] as string[])) seen.add(join(dir, String(entry)));
  }
  for (const f of GLOBAL_FILES) if (await stat(f).then(() => true, () => false)) seen.add(f);
  return seen;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function startGluster(name = `gnt-gl-${process.pid}`): Promise<GlusterServer> {
  const t0 = Date.now();
  const dir = join(tmpdir(), name);
  const brick = join(dir, 'brick');
  const nsPath = `/run/netns/${name}`;
  const before = await globalPaths();
  let pid: number | undefined;
  let nsMade = false;
  let volumeMade = false;

  const exec: Runner = (argv, options: RunOptions = {}) => run(['nsenter', `--net=${nsPath}`, '--', ...argv], options);
  const gluster = async (...args: string[]) => {
    const r = await exec(['gluster', '--mode=script', ...args], { timeoutMs: 60_000 });
    if (!r.ok) throw new Error(`Gluster test server: gluster ${args.join(' ')} failed: ${r.all}`);
  };

  const stop = async (): Promise<void> => {
    if (volumeMade) {
      await exec(['gluster', '--mode=script', 'volume', 'stop', 'gv0', 'force'], { timeoutMs: 30_000 });
      await exec(['gluster', '--mode=script', 'volume', 'delete', 'gv0'], { timeoutMs: 30_000 });
    }
    if (pid !== undefined && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (nsMade) await run(['ip', 'netns', 'del', name]);
    await rm(dir, { recursive: true, force: true });
    for (const p of await globalPaths()) if (!before.has(p)) await rm(p, { recursive: true, force: true });
  };

  try {
    await rm(dir, { recursive: true, force: true });
    for (const d of ['brick', 'state', 'run']) await mkdir(join(dir, d), { recursive: true });
    await runChecked(['ip', 'netns', 'add', name]);
    nsMade = true;
    for (const argv of [
      ['link', 'set', 'lo', 'up'],
      ['link', 'add', 'gbr0', 'type', 'bridge'],
      ['addr', 'add', `${IP}/24`, 'dev', 'gbr0'],
      ['link', 'set', 'gbr0', 'up'],
    ])
      await runChecked(['ip', '-n', name, ...argv]);
    pid = await spawnDetached(
      ['nsenter', `--net=${nsPath}`, '--', 'glusterd', '-N', '--log-file', join(dir, 'glusterd.log'),
        '--xlator-option', `management.working-directory=${join(dir, 'state')}`,
        '--xlator-option', `management.run-directory=${join(dir, 'run')}`],
      { logFile: join(dir, 'glusterd.out') },
    );
    const deadline = Date.now() + 15_000;
    while (!(await exec(['gluster', '--mode=script', 'volume', 'list'])).ok) {
      if (Date.now() > deadline || !alive(pid)) throw new Error('Gluster test server: glusterd did not answer within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    // `force`: the brick is on the root file system, which Gluster warns about.
    await gluster('volume', 'create', 'gv0', `${IP}:${brick}`, 'force');
    volumeMade = true;
    await gluster('volume', 'start', 'gv0');
  } catch (e) {
    await stop();
    throw e;
  }
  return { netns: name, ip: IP, volume: 'gv0', brick, dir, exec, startMs: Date.now() - t0, stop };
}
