/** Parsing `xl list` and `xl info` as Ganeti does (hv_xen _ParseInstanceList, _ParseNodeInfo). */
import { GanetiError } from '../../core/index.js';

export interface XenDomain {
  readonly name: string;
  readonly id: number;
  readonly memory: number;
  readonly vcpus: number;
  readonly state: 'running' | 'shutdown';
  readonly time: number;
}

const RUNNING_PREFIXES = ['r--', 'rb-', '-b-', '---'];

/** Xen's six state letters; paused is ignored, crashed domains are left out (null). */
export function domainState(raw: string): 'running' | 'shutdown' | null {
  const s = raw.replace(/p/g, '-');
  if (s.includes('c')) return null;
  if (RUNNING_PREFIXES.some((p) => [`${p}---`, `${p}ss-`, `${p}sr-`].includes(s)) || s === '-----d') return 'running';
  if (s === '---s--' || s === '---s-d') return 'shutdown';
  throw new GanetiError('GNT_HV_FAILED', { hypervisor: 'xen', action: 'read the domain list', reason: `unhandled Xen domain state '${raw}'` });
}

/** `xl list` lines after the heading; Domain-0 kept only with `withDom0`. */
export function parseList(text: string, withDom0: boolean): XenDomain[] {
  const out: XenDomain[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (!line.trim()) continue;
    const f = line.trim().split(/\s+/);
    if (f.length !== 6) throw new GanetiError('GNT_HV_FAILED', { hypervisor: 'xen', action: 'read the domain list', reason: `cannot parse line: ${line}` });
    const state = domainState(f[4]!);
    if (state === null) continue;
    const d = { name: f[0]!, id: Number(f[1]), memory: Number(f[2]), vcpus: Number(f[3]), state, time: Number(f[5]) };
    if ([d.id, d.memory, d.vcpus, d.time].some((n) => !Number.isFinite(n))) throw new GanetiError('GNT_HV_FAILED', { hypervisor: 'xen', action: 'read the domain list', reason: `cannot parse line: ${line}` });
    if (withDom0 || d.name !== 'Domain-0') out.push(d);
  }
  return out;
}

/** `xl info` → node figures (MiB) and the Xen version. */
export function parseInfo(text: string): Record<string, number | number[]> {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const num = (k: string) => (kv.has(k) ? Number(kv.get(k)) : undefined);
  const out: Record<string, number | number[]> = {};
  const total = num('total_memory') ?? num('memory');
  if (total !== undefined) out['memory_total'] = total;
  const free = num('free_memory');
  if (free !== undefined) out['memory_free'] = free;
  const cpus = num('nr_cpus');
  if (cpus !== undefined) out['cpu_total'] = cpus;
  const nodes = num('nr_nodes');
  if (nodes !== undefined) out['cpu_nodes'] = nodes;
  const cores = num('cores_per_socket');
  const threads = num('threads_per_core');
  if (cpus !== undefined && cores && threads) out['cpu_sockets'] = Math.floor(cpus / (cores * threads));
  const major = num('xen_major');
  const minor = num('xen_minor');
  if (major !== undefined && minor !== undefined) out['hv_version'] = [major, minor];
  return out;
}
