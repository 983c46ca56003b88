/**
 * Where a kvm instance's runtime state lives on its node, under Ganeti's
 * <run>/kvm-hypervisor/ layout: pid/<name> (qemu's pid file), ctrl/<name>.qmp (the QMP
 * socket), ctrl/<name>.serial (the serial console socket) and ctrl/<name>.serial.log (what
 * the console printed), conf/<name>.runtime (the runtime description, JSON), nic/<name>/<i>
 * (the tap of NIC i).
 */
import { mkdir, readFile, readdir, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { GanetiError, type GanetiPaths, type HvDisk, type HvInstance } from '../../core/index.js';

export const HV_NAME = 'kvm';

/** What the node knows of a running instance: the command it was started with and its parts. */
export interface KvmRuntime {
  readonly instance: HvInstance;
  readonly disks: readonly HvDisk[];
  readonly argv: readonly string[];
  /** tap names by NIC index */
  readonly taps: readonly string[];
  readonly memory: number;
  readonly started: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function kvmFiles(paths: GanetiPaths, name: string) {
  if (!NAME_RE.test(name)) throw new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action: `use instance name '${name}'`, reason: 'it is not a valid file name' });
  const root = join(paths.runDir, 'kvm-hypervisor');
  return {
    root,
    pid: join(root, 'pid', name),
    qmp: join(root, 'ctrl', `${name}.qmp`),
    serial: join(root, 'ctrl', `${name}.serial`),
    serialLog: join(root, 'ctrl', `${name}.serial.log`),
    runtime: join(root, 'conf', `${name}.runtime`),
    dirs: ['pid', 'ctrl', 'conf', 'nic'].map((d) => join(root, d)),
  };
}

export async function ensureDirs(paths: GanetiPaths, name: string): Promise<void> {
  for (const d of kvmFiles(paths, name).dirs) await mkdir(d, { recursive: true, mode: 0o750 });
}

export async function readPid(paths: GanetiPaths, name: string): Promise<number | null> {
  const text = await readFile(kvmFiles(paths, name).pid, 'utf8').catch(() => null);
  const pid = text === null ? NaN : Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Whether `pid` is a live qemu process (not a recycled pid of something else). */
export async function isQemu(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return false;
  // state after the command: "pid (comm) S ..."; a zombie is dead
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return /qemu|kvm/.test(cmdline.split('\0')[0] ?? '');
}

/** The pid of the instance's running qemu, or null. */
export async function livePid(paths: GanetiPaths, name: string): Promise<number | null> {
  const pid = await readPid(paths, name);
  return pid !== null && (await isQemu(pid)) ? pid : null;
}

export async function writeRuntime(paths: GanetiPaths, rt: KvmRuntime): Promise<void> {
  const file = kvmFiles(paths, rt.instance.name).runtime;
  await writeFile(`${file}.tmp`, JSON.stringify(rt));
  await rename(`${file}.tmp`, file);
}

export async function readRuntime(paths: GanetiPaths, name: string): Promise<KvmRuntime | null> {
  const text = await readFile(kvmFiles(paths, name).runtime, 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as KvmRuntime);
}

/** Instance names with a pid file (running or left over). */
export async function knownInstances(paths: GanetiPaths): Promise<string[]> {
  const dir = join(paths.runDir, 'kvm-hypervisor', 'pid');
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => NAME_RE.test(n)).sort();
}

/** Removes the instance's runtime files (not its serial log, which stays for post mortems). */
export async function removeRuntime(paths: GanetiPaths, name: string): Promise<void> {
  const f = kvmFiles(paths, name);
  for (const p of [f.pid, f.qmp, f.serial, f.runtime]) await rm(p, { force: true });
}
