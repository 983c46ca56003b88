import { GanetiError } from '../../core/errors/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { askUser } from '../common/confirm.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import { parseKeyValues } from '../common/params.js';
import { parseHypervisorOption } from './instance-add.js';

/** gnt-instance startup, shutdown, reboot, remove, activate-disks, deactivate-disks: one job per instance, in order. */

const source = (command: string) => ({ binary: 'gnt-instance', command });

async function each(names: readonly string[], command: string, op: (name: string) => { OP_ID: string } & Record<string, unknown>, o: OpcodeOptions): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const name of names) out.push((await submitAndWait([op(name)], o, source(command))) ?? []);
  return out;
}

export interface StartupOptions extends OpcodeOptions {
  force?: boolean;
  paused?: boolean;
  hypervisorParameters?: string;
  backendParameters?: string;
  remember: boolean;
  ignoreOffline?: boolean;
}

export async function startup(names: string[], o: StartupOptions): Promise<void> {
  const hv = parseHypervisorOption(o.hypervisorParameters && !o.hypervisorParameters.includes(':') ? `x:${o.hypervisorParameters}` : o.hypervisorParameters);
  await each(names, 'startup', (instance_name) => ({
    OP_ID: 'OP_INSTANCE_STARTUP', instance_name, force: Boolean(o.force), startup_paused: Boolean(o.paused), no_remember: !o.remember,
    ignore_offline_nodes: Boolean(o.ignoreOffline), hvparams: hv.hvparams, beparams: parseKeyValues(o.backendParameters, '-B'),
  }), o);
}

export interface ShutdownOptions extends OpcodeOptions {
  timeout: string;
  remember: boolean;
  ignoreOffline?: boolean;
}

export async function shutdown(names: string[], o: ShutdownOptions): Promise<void> {
  await each(names, 'shutdown', (instance_name) => ({
    OP_ID: 'OP_INSTANCE_SHUTDOWN', instance_name, timeout: Number(o.timeout), no_remember: !o.remember, ignore_offline_nodes: Boolean(o.ignoreOffline),
  }), o);
}

export interface RebootOptions extends OpcodeOptions {
  type: string;
  shutdownTimeout: string;
  ignoreSecondaries?: boolean;
}

export async function reboot(names: string[], o: RebootOptions): Promise<void> {
  await each(names, 'reboot', (instance_name) => ({
    OP_ID: 'OP_INSTANCE_REBOOT', instance_name, reboot_type: o.type, shutdown_timeout: Number(o.shutdownTimeout), ignore_secondaries: Boolean(o.ignoreSecondaries),
  }), o);
}

export interface RemoveOptions extends OpcodeOptions {
  force?: boolean;
  ignoreFailures?: boolean;
  shutdownTimeout: string;
}

export async function remove(name: string, o: RemoveOptions): Promise<void> {
  if (!o.force) {
    const ok = await askUser(`This will remove the volumes of the instance ${name} (including mirrors), thus removing all the data of the instance. Continue?`);
    if (!ok) throw new CliExit(EXIT.CONFIRMATION);
  }
  await each([name], 'remove', (instance_name) => ({
    OP_ID: 'OP_INSTANCE_REMOVE', instance_name, ignore_failures: Boolean(o.ignoreFailures), shutdown_timeout: Number(o.shutdownTimeout),
  }), o);
}

/** Prints `node:disk/N:device` per disk (Ganeti's activate-disks output). */
export async function activateDisks(name: string, o: OpcodeOptions & { ignoreSize?: boolean; waitForSync?: boolean }): Promise<void> {
  const [res] = await each([name], 'activate-disks', (instance_name) => ({ OP_ID: 'OP_INSTANCE_ACTIVATE_DISKS', instance_name, ignore_size: Boolean(o.ignoreSize), wait_for_sync: Boolean(o.waitForSync) }), o);
  for (const [node, disk, path] of (res?.[0] ?? []) as [string, string, string | null][]) process.stdout.write(`${node}:${disk}:${path ?? ''}\n`);
}

export async function deactivateDisks(name: string, o: OpcodeOptions & { force?: boolean }): Promise<void> {
  await each([name], 'deactivate-disks', (instance_name) => ({ OP_ID: 'OP_INSTANCE_DEACTIVATE_DISKS', instance_name, force: Boolean(o.force) }), o);
}

export interface ReplaceDisksOptions extends OpcodeOptions {
  onPrimary?: boolean;
  onSecondary?: boolean;
  auto?: boolean;
  newSecondary?: string;
  iallocator?: string;
  disks?: string;
  earlyRelease?: boolean;
}

/** Ganeti's replace-disks: exactly one of -p, -s, -a, -n NODE / -I NAME. */
export async function replaceDisks(name: string, o: ReplaceDisksOptions): Promise<void> {
  const modes = [o.onPrimary && 'replace_on_primary', o.onSecondary && 'replace_on_secondary', o.auto && 'replace_auto', (o.newSecondary || o.iallocator) && 'replace_new_secondary'].filter(Boolean) as string[];
  if (modes.length !== 1) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: 'give exactly one of -p (primary), -s (secondary), -a (auto), -n NODE or -I ALLOCATOR' });
  const disks = o.disks ? o.disks.split(',').map((d) => {
    if (!/^\d+$/.test(d)) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `--disks: '${d}' is not a disk index` });
    return Number(d);
  }) : [];
  await each([name], 'replace-disks', (instance_name) => ({
    OP_ID: 'OP_INSTANCE_REPLACE_DISKS', instance_name, mode: modes[0]!, disks, remote_node: o.newSecondary ?? null, iallocator: o.iallocator ?? null, early_release: Boolean(o.earlyRelease),
  }), o);
}
