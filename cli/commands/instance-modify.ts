import type { Params } from '../../core/contracts/params.js';
import { GanetiError } from '../../core/errors/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { askUser } from '../common/confirm.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import { parseKeyValues } from '../common/params.js';
import { parseSizeMiB } from '../common/units.js';

/** gnt-instance modify, rename, reinstall, grow-disk, recreate-disks. */

const invalid = (reason: string) => new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason });
const source = (command: string) => ({ binary: 'gnt-instance', command });
const ACTIONS = ['add', 'remove', 'modify'] as const;

/**
 * Ganeti's --disk/--net modification syntax: `add[:k=v]`, `remove`, `N:add,k=v`, `N:remove`,
 * `N:modify,k=v` or `N:k=v` (modify) → `[action, index or name, params]`.
 */
export function parseMods(values: readonly string[], option: string, sizeKey?: string): [string, number | string, Params][] {
  return values.map((v) => {
    const colon = v.indexOf(':');
    const head = colon < 0 ? v : v.slice(0, colon);
    const rest = colon < 0 ? '' : v.slice(colon + 1);
    const params = parseKeyValues(rest, option);
    let action: string;
    let id: number | string;
    if (head === 'add' || head === 'remove') {
      action = head;
      id = -1;
    } else {
      id = /^-?\d+$/.test(head) ? Number(head) : head;
      const given = ACTIONS.filter((a) => params[a] === true);
      if (given.length > 1) throw invalid(`${option} ${v}: cannot do more than one of ${ACTIONS.join(', ')} at the same time`);
      for (const a of ACTIONS) delete params[a];
      action = given[0] ?? 'modify';
    }
    if (action === 'remove' && Object.keys(params).length) throw invalid(`${option} ${v}: not accepting parameters on removal`);
    if (sizeKey && params[sizeKey] !== undefined) params[sizeKey] = parseSizeMiB(String(params[sizeKey]), `${option} ${sizeKey}`);
    else if (sizeKey && action === 'add') throw invalid(`${option} ${v}: missing required parameter 'size'`);
    return [action, id, params];
  });
}

export interface ModifyOptions extends OpcodeOptions {
  hypervisorParameters?: string;
  backendParameters?: string;
  osParameters?: string;
  disk?: string[];
  net?: string[];
  osType?: string;
  forceVariant?: boolean;
  offline?: boolean;
  online?: boolean;
  runtimeMemory?: string;
  force?: boolean;
  hotplug?: boolean;
  waitForSync: boolean;
}

export async function modify(name: string, o: ModifyOptions): Promise<void> {
  if (o.offline && o.online) throw invalid('--offline and --online cannot be used together');
  const any = o.hypervisorParameters || o.backendParameters || o.osParameters || o.disk?.length || o.net?.length || o.osType || o.offline || o.online || o.runtimeMemory;
  if (!any) {
    process.stderr.write('Please give at least one of the parameters.\n');
    throw new CliExit(EXIT.FAILURE);
  }
  const op = {
    OP_ID: 'OP_INSTANCE_SET_PARAMS', instance_name: name, hvparams: parseKeyValues(o.hypervisorParameters, '-H'), beparams: parseKeyValues(o.backendParameters, '-B'),
    osparams: parseKeyValues(o.osParameters, '-O'), disks: parseMods(o.disk ?? [], '--disk', 'size'), nics: parseMods(o.net ?? [], '--net'),
    os_name: o.osType ?? null, force_variant: Boolean(o.forceVariant), offline: o.offline ? true : o.online ? false : null,
    runtime_mem: o.runtimeMemory ? parseSizeMiB(o.runtimeMemory, '-m') : null, force: Boolean(o.force), hotplug: Boolean(o.hotplug), wait_for_sync: o.waitForSync,
  };
  const res = await submitAndWait([op], o, source('modify'));
  const changes = (res?.[0] ?? []) as [string, unknown][];
  if (!changes.length) return;
  const out = [`Modified instance ${name}`, ...changes.map(([p, v]) => ` - ${p.padEnd(5)} -> ${String(v)}`)];
  out.push("Please don't forget that most parameters take effect only at the next (re)start of the instance initiated by ganeti; restarting from within the instance will not be enough.");
  if (o.hypervisorParameters) out.push('Note that changing hypervisor parameters without performing a restart might lead to a crash while performing a live migration. This will be addressed in future Ganeti versions.');
  process.stdout.write(`${out.join('\n')}\n`);
}

export async function rename(oldName: string, newName: string, o: OpcodeOptions & { ipCheck: boolean; nameCheck: boolean }): Promise<void> {
  // As Ganeti's client: without the name check there is no IP to check.
  const ipCheck = o.nameCheck ? o.ipCheck : false;
  await submitAndWait([{ OP_ID: 'OP_INSTANCE_RENAME', instance_name: oldName, new_name: newName, name_check: o.nameCheck, ip_check: ipCheck }], o, source('rename'));
}

export async function reinstall(name: string, o: OpcodeOptions & { osType?: string; force?: boolean; forceVariant?: boolean; osParameters?: string }): Promise<void> {
  if (!o.force) {
    const what = o.osType ? ` and change its OS to '${o.osType}'` : '';
    if (!(await askUser(`This will reinstall the instance '${name}'${what}, destroying all its data. Continue?`))) throw new CliExit(EXIT.CONFIRMATION);
  }
  await submitAndWait([{ OP_ID: 'OP_INSTANCE_REINSTALL', instance_name: name, os_type: o.osType ?? null, force_variant: Boolean(o.forceVariant), osparams: parseKeyValues(o.osParameters, '-O') }], o, source('reinstall'));
}

export async function growDisk(name: string, disk: string, amount: string, o: OpcodeOptions & { absolute?: boolean; waitForSync: boolean }): Promise<void> {
  if (!/^\d+$/.test(disk)) throw invalid(`invalid disk index '${disk}'`);
  await submitAndWait([{ OP_ID: 'OP_INSTANCE_GROW_DISK', instance_name: name, disk: Number(disk), amount: parseSizeMiB(amount, 'AMOUNT'), absolute: Boolean(o.absolute), wait_for_sync: o.waitForSync }], o, source('grow-disk'));
}

export async function recreateDisks(name: string, o: OpcodeOptions & { disk?: string[]; node?: string; iallocator?: string }): Promise<void> {
  const disks = (o.disk ?? []).map((v): [number, Params] => {
    const m = /^(\d+)(?::(.*))?$/.exec(v);
    if (!m) throw invalid(`--disk: '${v}' is not INDEX[:size=SIZE,mode=MODE]`);
    const params = parseKeyValues(m[2] ?? '', '--disk');
    if (params['size'] !== undefined) params['size'] = parseSizeMiB(String(params['size']), '--disk size');
    return [Number(m[1]), params];
  });
  await submitAndWait([{ OP_ID: 'OP_INSTANCE_RECREATE_DISKS', instance_name: name, disks, nodes: o.node ? o.node.split(':') : [], iallocator: o.iallocator ?? null }], o, source('recreate-disks'));
}
