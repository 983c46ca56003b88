/**
 * A one-node Ceph cluster for tests (substrate.md, appendix B): one monitor and one memstore
 * OSD in a network namespace of their own, no authentication, one pool `rbd`. Starts in
 * about 7 s. Every command for the cluster runs through `exec` (nsenter into the namespace's
 * network only, so FUSE mounts and loop devices stay visible to the test) with CEPH_CONF set,
 * which rbd, librados and qemu's rbd driver all read.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runChecked, spawnDetached } from '../../core/exec/index.js';
import type { RunOptions, RunResult, Runner } from '../../core/exec/types.js';

export interface CephCluster {
  readonly netns: string;
  readonly dir: string;
  readonly conf: string;
  readonly pool: string;
  /** The monitor's address (ip:port), as the clients see it. */
  readonly monHost: string;
  /** Runs argv in the cluster's network namespace with CEPH_CONF set (and `env` on top). */
  readonly exec: Runner;
  /** How long start took, ms. */
  readonly startMs: number;
  stop(): Promise<void>;
}

const TOOLS = ['ceph-mon', 'ceph-osd', 'ceph', 'rbd', 'monmaptool'];

/** Why a Ceph cluster cannot run here, or null when it can (the tests skip with this reason). */
export async function cephMissing(): Promise<string | null> {
  for (const tool of TOOLS) {
    const found = await run(['sh', '-c', `command -v ${tool}`], { env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
    if (!found.ok) return `${tool} is not installed (apt-get install ceph-common ceph-mon ceph-osd)`;
  }
  if (process.getuid?.() !== 0) return 'a Ceph cluster in a network namespace needs root';
  return null;
}

const confText = (fsid: string, dir: string, ip: string): string => `[global]
fsid = ${fsid}
mon host = ${ip}:6789
${ip === '127.0.0.1' ? '' : `public addr = ${ip}\n`}auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd objectstore = memstore
memstore device bytes = 1073741824
osd crush chooseleaf type = 0
run dir = ${dir}/run
log file = ${dir}/$name.log
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
[mon.a]
mon data = ${dir}/mon-a
[osd.0]
osd data = ${dir}/osd-0
`;

const dotted = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
async function killPid(pid: number, graceMs = 8000): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`Ceph test cluster: ${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface CephOptions {
  /**
   * Reachable from this network namespace too: a veth pair joins the cluster's namespace to
   * this one, the monitor listens on the namespace's end (198.18.N.2, RFC 2544's benchmark
   * range, N from the pid) and clients here (a node daemon, qemu) use CEPH_CONF = `conf`.
   * Without it the cluster listens on the namespace's loopback only.
   */
  readonly reachable?: boolean;
}

/** Starts the cluster; on failure everything started so far is stopped again. */
export async function startCeph(name = `gnt-ceph-${process.pid}`, o: CephOptions = {}): Promise<CephCluster> {
  const t0 = Date.now();
  const dir = join(tmpdir(), name);
  const conf = join(dir, 'ceph.conf');
  const nsPath = `/run/netns/${name}`;
  const pids: number[] = [];
  let nsMade = false;
  const net = 198 * 2 ** 24 + 18 * 2 ** 16 + (process.pid % 256) * 256;
  const ip = o.reachable ? dotted(net + 2) : '127.0.0.1';

  const exec: Runner = (argv, options: RunOptions = {}) =>
    run(['nsenter', `--net=${nsPath}`, '--', ...argv], { ...options, env: { ...options.env, CEPH_CONF: conf } });
  const checked = async (argv: readonly string[]): Promise<RunResult> => {
    const r = await exec(argv, { timeoutMs: 60_000 });
    if (!r.ok) throw new Error(`Ceph test cluster: ${r.command} failed (exit ${r.exitCode}, signal ${r.signal}, ${r.durationMs} ms): ${r.all}`);
    return r;
  };

  const stop = async (): Promise<void> => {
    // OSD first, then the monitor. A memstore OSD has nothing to flush but takes ~6 s to exit
    // on SIGTERM, so it gets a short grace before SIGKILL.
    for (const pid of pids.reverse()) await killPid(pid, 1000);
    if (nsMade) await run(['ip', 'netns', 'del', name]);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await rm(dir, { recursive: true, force: true });
    for (const d of ['run', 'mon-a', 'osd-0']) await mkdir(join(dir, d), { recursive: true });
    const fsid = randomUUID();
    await writeFile(conf, confText(fsid, dir, ip));
    await runChecked(['ip', 'netns', 'add', name]);
    nsMade = true;
    await runChecked(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    if (o.reachable) {
      // the host end lives here; deleting the namespace deletes the pair
      const host = `gcv${process.pid}`.slice(0, 15);
      await runChecked(['ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'ceph0', 'netns', name]);
      await runChecked(['ip', 'addr', 'add', `${dotted(net + 1)}/30`, 'dev', host]);
      await runChecked(['ip', 'link', 'set', host, 'up']);
      await runChecked(['ip', '-n', name, 'addr', 'add', `${ip}/30`, 'dev', 'ceph0']);
      await runChecked(['ip', '-n', name, 'link', 'set', 'ceph0', 'up']);
    }
    await runChecked(['monmaptool', '--create', '--add', 'a', `${ip}:6789`, '--fsid', fsid, join(dir, 'monmap')]);
    await checked(['ceph-mon', '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')]);
    // Foreground daemons started detached: their pid is known without reading pid files.
    const daemon = async (argv: string[], log: string) => {
      pids.push(await spawnDetached(['nsenter', `--net=${nsPath}`, '--', ...argv], { logFile: join(dir, log), env: { ...process.env, CEPH_CONF: conf } }));
    };
    await daemon(['ceph-mon', '-f', '-i', 'a'], 'mon-a.out');
    const osdId = (await checked(['ceph', 'osd', 'create'])).stdout.trim();
    if (osdId !== '0') throw new Error(`Ceph test cluster: osd create gave id ${osdId}, not 0`);
    await checked(['ceph-osd', '-i', '0', '--mkfs']);
    // A pool made before the OSD is up and in can leave `rbd pool init` waiting for ever. And
    // now and then (1 start in 4 here) the OSD's first command to the monitor carries a null
    // fsid ("mon_cmd_maybe_osd_create fail: 'wrong fsid'") and the OSD never boots: it is then
    // killed and started again; it has written nothing yet.
    const osdUp = async () => {
      const r = await exec(['ceph', 'osd', 'stat', '--format', 'json'], { timeoutMs: 10_000 });
      const st = r.ok ? (JSON.parse(r.stdout) as { num_up_osds?: number; num_in_osds?: number }) : {};
      return st.num_up_osds === 1 && st.num_in_osds === 1;
    };
    const osdLog = join(dir, 'osd.0.log');
    const booted = async (): Promise<boolean> => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (await osdUp()) return true;
        if ((await readFile(osdLog, 'utf8').catch(() => '')).includes("'wrong fsid'")) return false;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('Ceph test cluster: osd.0 not up and in within 30 s');
    };
    for (let attempt = 1; ; attempt++) {
      await writeFile(osdLog, '');
      await daemon(['ceph-osd', '-f', '-i', '0'], 'osd-0.out');
      if (await booted()) break;
      await killPid(pids.pop()!, 0);
      if (attempt === 5) throw new Error("Ceph test cluster: osd.0 failed to boot 5 times ('wrong fsid')");
    }
    await checked(['ceph', 'osd', 'pool', 'create', 'rbd', '8']);
    await checked(['rbd', 'pool', 'init', 'rbd']);
    // The pool is usable once the OSD is up and in: an image create then returns at once.
    await until('a usable rbd pool', async () => (await exec(['rbd', 'ls', '-p', 'rbd'], { timeoutMs: 30_000 })).ok, 30_000);
    for (const pid of pids) if (!alive(pid)) throw new Error('Ceph test cluster: a daemon died');
  } catch (e) {
    // The daemons' own words, for a start that fails in CI.
    const tail = async (f: string) => (await readFile(join(dir, f), 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    const logs = `\n--- osd.0.log:\n${await tail('osd.0.log')}\n--- mon.a.log:\n${await tail('mon.a.log')}`;
    await stop();
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { message: `${(e as Error).message ?? e}${logs}` });
  }
  return { netns: name, dir, conf, pool: 'rbd', monHost: `${ip}:6789`, exec, startMs: Date.now() - t0, stop };
}
