import type { Params } from '../../core/contracts/params.js';
import { GanetiError } from '../../core/errors/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { parseKeyValues } from '../common/params.js';
import { parseSizeMiB } from '../common/units.js';

/** gnt-instance add: Ganeti's options turned into OP_INSTANCE_CREATE. */

const invalid = (reason: string) => new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason });

export interface InstanceAddOptions extends OpcodeOptions {
  diskTemplate: string;
  disk?: string[];
  osSize?: string;
  net?: string[];
  nics: boolean;
  node?: string;
  osType?: string;
  start: boolean;
  install: boolean;
  hypervisorParameters?: string;
  backendParameters?: string;
  osParameters?: string;
  osParametersPrivate?: string;
  forceVariant?: boolean;
  ipCheck: boolean;
  nameCheck: boolean;
  waitForSync: boolean;
  iallocator?: string;
  fileStorageDir?: string;
  fileDriver?: string;
  tags?: string;
}

/** `N:key=value,...` items (Ganeti's --disk / --net) → a dense list by index. */
export function parseIndexed(values: readonly string[], option: string, sizeKey?: string): Params[] {
  const byIndex = new Map<number, Params>();
  for (const v of values) {
    const m = /^(\d+)(?::(.*))?$/.exec(v);
    if (!m) throw invalid(`${option}: '${v}' is not INDEX:key=value,...`);
    const idx = Number(m[1]);
    if (byIndex.has(idx)) throw invalid(`${option}: index ${idx} is given twice`);
    const spec = parseKeyValues(m[2] ?? '', option);
    if (sizeKey && spec[sizeKey] !== undefined) spec[sizeKey] = parseSizeMiB(String(spec[sizeKey]), `${option} ${idx}:${sizeKey}`);
    byIndex.set(idx, spec);
  }
  const n = byIndex.size;
  for (let i = 0; i < n; i++) if (!byIndex.has(i)) throw invalid(`${option}: indices must be 0..${n - 1} without gaps (missing ${i})`);
  return [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!);
}

/** `-H hv[:k=v,...]`: the hypervisor and its parameters. */
export function parseHypervisorOption(text: string | undefined): { hypervisor: string | null; hvparams: Params } {
  if (!text) return { hypervisor: null, hvparams: {} };
  const colon = text.indexOf(':');
  if (colon < 0) return { hypervisor: text, hvparams: {} };
  return { hypervisor: text.slice(0, colon), hvparams: parseKeyValues(text.slice(colon + 1), '-H') };
}

export function instanceCreateOp(name: string, o: InstanceAddOptions): { OP_ID: string } & Record<string, unknown> {
  if (o.disk?.length && o.osSize) throw invalid('--disk and -s/--os-size cannot be used together');
  const disks = o.osSize ? [{ size: parseSizeMiB(o.osSize, '-s') }] : parseIndexed(o.disk ?? [], '--disk', 'size');
  if (!o.nics && o.net?.length) throw invalid('--no-nics and --net cannot be used together');
  const nics = !o.nics ? [] : o.net?.length ? parseIndexed(o.net, '--net') : [{}];
  const [pnode, snode] = (o.node ?? '').split(':');
  const { hypervisor, hvparams } = parseHypervisorOption(o.hypervisorParameters);
  return {
    OP_ID: 'OP_INSTANCE_CREATE', instance_name: name, mode: 'create', disk_template: o.diskTemplate, disks, nics,
    os_type: o.osType ?? null, pnode: pnode || null, snode: snode || null, iallocator: o.iallocator ?? null,
    hypervisor, hvparams, beparams: parseKeyValues(o.backendParameters, '-B'), osparams: parseKeyValues(o.osParameters, '-O'),
    osparams_private: parseKeyValues(o.osParametersPrivate, '--os-parameters-private'), force_variant: Boolean(o.forceVariant),
    start: o.start, no_install: !o.install, ip_check: o.ipCheck, name_check: o.nameCheck, wait_for_sync: o.waitForSync,
    file_storage_dir: o.fileStorageDir ?? null, file_driver: o.fileDriver ?? null, tags: o.tags ? o.tags.split(',') : [],
  };
}

export async function instanceAdd(name: string, o: InstanceAddOptions): Promise<void> {
  await submitAndWait([instanceCreateOp(name, o)], o, { binary: 'gnt-instance', command: 'add' });
}
