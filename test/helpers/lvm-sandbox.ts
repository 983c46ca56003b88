/**
 * A private LVM world for one test: loop-device PVs over sparse files, a volume group named
 * after the process, and an lvm.conf (LVM_SYSTEM_DIR) that disables activation (the kernel
 * has no device-mapper), accepts only this sandbox's loop devices (other tests' PVs and VGs
 * stay invisible and untouched) and keeps no metadata backups. Provider contexts get a PATH
 * with test/fixtures/lvm/dm-shim first, which records LVM calls and stands in for activation.
 * `cleanup` undoes exactly what was made: mapped LVs, the VG, the PVs, the loop devices, files.
 */
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundRunner, run, runChecked } from '../../core/exec/index.js';
import type { RunResult } from '../../core/exec/types.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import { REPO_ROOT } from './tmp.js';

export const SHIM = join(REPO_ROOT, 'test', 'fixtures', 'lvm', 'dm-shim');
const SHIMMED = ['lvcreate', 'lvchange', 'lvextend', 'lvremove', 'lvrename'];

/** Why LVM tests cannot run here, or null when they can. */
export async function lvmMissing(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'LVM tests need root (loop devices, pvcreate)';
  if (!existsSync('/dev/loop-control')) return 'no /dev/loop-control: loop devices are unavailable';
  const r = await run(['lvm', 'version']);
  if (!r.ok) return `LVM is not installed (lvm version: ${r.notFound ? 'not found' : r.stderr.trim()}); apt-get install lvm2`;
  return null;
}

let serial = 0;

export interface LvmSandbox {
  readonly dir: string;
  readonly vg: string;
  /** The PVs (loop devices), in creation order. */
  readonly pvs: string[];
  /** Environment of the real tools (no shim). */
  readonly env: Readonly<Record<string, string>>;
  /** A provider context on node `node1` whose commands see this sandbox, through the shim. */
  readonly ctx: ProviderContext;
  /** Runs a real LVM tool on the sandbox and checks it succeeded. */
  lvm(argv: readonly string[]): Promise<RunResult>;
  /** Every call the shim saw so far, as [tool, ...args]. */
  calls(): Promise<string[][]>;
  /** Detaches a PV's loop device (the PV goes missing); cleanup then skips it. */
  losePv(pv: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** A sandbox with one PV per size (MiB) and, unless `vg` is false, a VG over them. */
export async function lvmSandbox(opts: { pvMiB?: readonly number[]; vg?: boolean; signal?: AbortSignal; vgName?: string } = {}): Promise<LvmSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'gnt-lvm-'));
  // two sandboxes may share a VG name (two "nodes", each with its own PVs and lvm.conf filter)
  const vg = opts.vgName ?? `gnttest${process.pid}x${++serial}`;
  const pvs: string[] = [];
  const lost = new Set<string>();
  const env = { LVM_SYSTEM_DIR: dir, LVM_SUPPRESS_FD_WARNINGS: '1' };
  const lvm = (argv: readonly string[]) => runChecked(argv, { env });
  const abort = new AbortController();

  const cleanup = async () => {
    abort.abort();
    // LVs the shim mapped: their loop devices first, they hold the PVs open
    const devDir = `/dev/${vg}`;
    for (const name of await readdir(devDir).catch(() => [] as string[])) {
      const target = await readlink(join(devDir, name)).catch(() => null);
      if (target?.startsWith('/dev/loop')) await run(['losetup', '-d', target]);
    }
    // LVs mapped inside another mount namespace (a node daemon with a private /dev/VG): the
    // loop devices whose backing device is one of our PVs
    const listed = await run(['losetup', '--list', '--noheadings', '--output', 'NAME,BACK-FILE']);
    for (const line of listed.stdout.split('\n')) {
      const [name, back] = line.trim().split(/\s+/);
      if (name && back && pvs.includes(back)) await run(['losetup', '-d', name]);
    }
    await rm(devDir, { recursive: true, force: true });
    await run(['vgremove', '-f', vg], { env });
    for (const pv of pvs) if (!lost.has(pv)) await run(['pvremove', '-ff', '-y', pv], { env });
    for (const pv of pvs) if (!lost.has(pv)) await run(['losetup', '-d', pv]);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    for (const [i, mib] of (opts.pvMiB ?? [64]).entries()) {
      const file = join(dir, `pv${i}.img`);
      await runChecked(['truncate', '-s', `${mib}M`, file]);
      pvs.push((await runChecked(['losetup', '-f', '--show', file])).stdout.trim());
    }
    const accept = pvs.map((pv) => `"a|^${pv}$|"`).join(', ');
    await writeFile(
      join(dir, 'lvm.conf'),
      `# test sandbox ${vg}\nglobal { activation = 0 }\ndevices { global_filter = [ ${accept}, "r|.*|" ] use_devicesfile = 0 }\nbackup { backup = 0 archive = 0 }\n`,
    );
    const bin = join(dir, 'bin');
    await mkdir(bin);
    for (const tool of SHIMMED) await symlink(SHIM, join(bin, tool));
    await lvm(['pvcreate', '-y', ...pvs]);
    if (opts.vg !== false) await lvm(['vgcreate', vg, ...pvs]);
    const log = join(dir, 'shim.log');
    await writeFile(log, '');
    const ctxEnv = { ...env, PATH: `${bin}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, LVM_SHIM_LOG: log };
    const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
    const ctx: ProviderContext = { signal, run: boundRunner(signal, { env: ctxEnv }), log: memoryLogger(), paths: ganetiPaths(dir), nodeName: 'node1' };
    return {
      dir,
      vg,
      pvs,
      env,
      ctx,
      lvm,
      async calls() {
        return (await readFile(log, 'utf8'))
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => l.split('\t'));
      },
      async losePv(pv) {
        await runChecked(['losetup', '-d', pv]);
        lost.add(pv);
      },
      cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
