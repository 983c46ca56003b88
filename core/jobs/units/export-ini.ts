/**
 * An export's `config.ini` (Ganeti's FinalizeExport layout, export version 0): sections
 * `export` (version, timestamp, source, os, compression), `instance` (name, memory, vcpus,
 * disk_template, hypervisor, tags, nicN_*, diskN_ivname/dump/size/name, counts), then
 * `hypervisor`, `backend`, `os` and `os_private`, written as Python's ConfigParser writes.
 */
import { GanetiError } from '../../errors/index.js';
import type { DeepReadonly, Disk, FrozenConfig } from '../../config/index.js';
import type { InstanceView } from '../../instance/runtime.js';
import { filledBeParams } from '../../instance/params.js';

export type Ini = Record<string, Record<string, string>>;

const NIC_PARAMS = ['mode', 'link', 'vlan'] as const;

/** Python's str() of a config value. */
const py = (v: unknown): string => (v === true ? 'True' : v === false ? 'False' : v === null || v === undefined ? 'None' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function exportIni(data: FrozenConfig, inst: InstanceView, disks: readonly DeepReadonly<Disk>[], template: string, now = Date.now()): string {
  const be = filledBeParams(data, inst);
  const ins: Record<string, string> = {
    name: inst.name, maxmem: String(be.maxmem), minmem: String(be.minmem), memory: String(be.maxmem), vcpus: String(be.vcpus),
    disk_template: template, hypervisor: inst.hypervisor, tags: inst.tags.join(' '),
  };
  inst.nics.forEach((n, i) => {
    ins[`nic${i}_mac`] = n.mac;
    ins[`nic${i}_ip`] = py(n.ip ?? null);
    ins[`nic${i}_network`] = py(n.network ?? null);
    ins[`nic${i}_name`] = py(n.name ?? null);
    for (const p of NIC_PARAMS) ins[`nic${i}_${p}`] = py(n.nicparams?.[p] ?? null);
  });
  ins['nic_count'] = String(inst.nics.length);
  disks.forEach((d, i) => {
    ins[`disk${i}_ivname`] = `disk/${i}`;
    ins[`disk${i}_dump`] = d.uuid;
    ins[`disk${i}_size`] = String(d.size);
    ins[`disk${i}_name`] = py(d.name ?? null);
  });
  ins['disk_count'] = String(disks.length);
  const ini: Ini = {
    export: { version: '0', timestamp: String(Math.floor(now / 1000)), source: inst.primary_node, os: inst.os, compression: 'none' },
    instance: ins,
    hypervisor: Object.fromEntries(Object.entries(inst.hvparams).map(([k, v]) => [k, py(v)])),
    backend: Object.fromEntries(Object.entries(inst.beparams).map(([k, v]) => [k, py(v)])),
    os: Object.fromEntries(Object.entries(inst.osparams).map(([k, v]) => [k, py(v)])),
    os_private: Object.fromEntries(Object.entries(inst.osparams_private ?? {}).map(([k, v]) => [k, py(v)])),
  };
  return Object.entries(ini).map(([sec, kv]) => `[${sec}]\n${Object.entries(kv).map(([k, v]) => `${k} = ${v}\n`).join('')}\n`).join('');
}

export function parseIni(text: string): Ini {
  const out: Ini = {};
  let section: Record<string, string> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = out[sec[1]!] ??= {};
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s?(.*)$/.exec(line);
    if (kv && section) section[kv[1]!.trim()] = kv[2]!;
  }
  return out;
}

/** What an import takes from an export. */
export interface ExportInfo {
  readonly os: string;
  readonly hypervisor: string;
  readonly disks: readonly { size: number; dump: string; name: string | null }[];
  readonly nics: readonly Record<string, string>[];
  readonly beparams: Record<string, number>;
  readonly osparams: Record<string, string>;
}

export function exportInfo(what: string, text: string): ExportInfo {
  const ini = parseIni(text);
  const exp = ini['export'];
  const ins = ini['instance'];
  if (!exp || !ins) throw new GanetiError('GNT_BACKUP_INVALID', { what, problem: 'its config.ini has no [export] or [instance] section' });
  if (exp['version'] !== '0') throw new GanetiError('GNT_BACKUP_INVALID', { what, problem: `export version ${exp['version'] ?? '(none)'} is not 0` });
  if (!exp['os']) throw new GanetiError('GNT_BACKUP_INVALID', { what, problem: 'it names no OS' });
  const none = (v: string | undefined) => (v === undefined || v === 'None' ? null : v);
  const disks = Array.from({ length: Number(ins['disk_count'] ?? 0) }, (_, i) => {
    const size = Number(ins[`disk${i}_size`]);
    const dump = ins[`disk${i}_dump`];
    if (!Number.isInteger(size) || size <= 0 || !dump) throw new GanetiError('GNT_BACKUP_INVALID', { what, problem: `disk ${i} has no size or dump file` });
    return { size, dump, name: none(ins[`disk${i}_name`]) };
  });
  const nics = Array.from({ length: Number(ins['nic_count'] ?? 0) }, (_, i) => {
    const nic: Record<string, string> = {};
    for (const k of ['mac', 'ip', 'network', 'name', ...NIC_PARAMS]) {
      const v = none(ins[`nic${i}_${k}`]);
      if (v !== null && v !== '') nic[k] = v;
    }
    return nic;
  });
  const beparams: Record<string, number> = {};
  for (const k of ['maxmem', 'minmem', 'vcpus']) if (ins[k] !== undefined && /^\d+$/.test(ins[k]!)) beparams[k] = Number(ins[k]);
  return { os: exp['os'], hypervisor: ins['hypervisor'] ?? '', disks, nics, beparams, osparams: { ...(ini['os'] ?? {}) } };
}
