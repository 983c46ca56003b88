import { dirname } from 'node:path';
import { GanetiError, describeError } from '../errors/index.js';
import type { GanetiPaths } from '../paths.js';
import { HYPERVISOR_TYPES, type HypervisorType, type DeepReadonly, type ConfigData, type Node, type FrozenConfig } from './objects.js';
import { niceSort, niceSortBy } from './nicesort.js';
import { COMPAT_RELEASE_VERSION } from './upgrade.js';
import { nodeConfigFs, writeFileAtomic, type ConfigFs } from './fs.js';
import { acquireLock } from './lock.js';

/**
 * ssconf: the small `ssconf_<key>` files every node keeps so that scripts and daemons learn
 * the cluster's basics without the config (lib/ssconf.py, src/Ganeti/WConfd/Ssconf.hs).
 * Values follow Ganeti's formats: one item per line; `name ip` pairs; `name=True`;
 * `uuid=digest`; booleans as `True`/`False`; node lists nice-sorted by name.
 * `computeSsconf` gives the values without a trailing newline (like Ganeti's
 * GetSsconfValues); `writeSsconfFiles` adds it, as Ganeti's writer does.
 */

const BASE_KEYS = [
  'cluster_name',
  'cluster_tags',
  'file_storage_dir',
  'shared_file_storage_dir',
  'gluster_storage_dir',
  'master_candidates',
  'master_candidates_ips',
  'master_candidates_certs',
  'master_ip',
  'master_netdev',
  'master_netmask',
  'master_node',
  'node_list',
  'node_primary_ips',
  'node_secondary_ips',
  'node_vm_capable',
  'offline_nodes',
  'online_nodes',
  'primary_ip_family',
  'instance_list',
  'release_version',
  'hypervisor_list',
  'maintain_node_health',
  'uid_pool',
  'nodegroups',
  'networks',
  'enabled_user_shutdown',
  'ssh_ports',
  // ganeti-ts: more ExtStorage provider folders, one per line (gnt-cluster modify --extstorage-search-path)
  'extstorage_search_path',
] as const;

export type SsconfKey = (typeof BASE_KEYS)[number] | `hvparams_${HypervisorType}`;

/** Every ssconf key (Ganeti's validSsKeys): the base keys, then `hvparams_<hv>` per hypervisor. */
export const SSCONF_KEYS: readonly SsconfKey[] = Object.freeze([...BASE_KEYS, ...HYPERVISOR_TYPES.map((hv) => `hvparams_${hv}` as const)]);
export type SsconfValues = Readonly<Record<SsconfKey, string>>;

/** Ganeti refuses ssconf values larger than this (bytes). */
export const SSCONF_MAX_SIZE = 131072;

export interface SsconfOptions {
  /** `release_version` (default: Ganeti's release matching the config version, 3.1.0). */
  releaseVersion?: string;
}

const pyBool = (b: unknown) => (b ? 'True' : 'False');
const lines = (xs: Iterable<string>) => [...xs].join('\n');

/** A parameter value as Ganeti prints it in ssconf: strings bare, booleans True/False. */
function paramString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return pyBool(v);
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

export function computeSsconf(config: FrozenConfig | ConfigData, options: SsconfOptions = {}): SsconfValues {
  const data = config as DeepReadonly<ConfigData>;
  const c = data.cluster;
  const nodes = niceSortBy(Object.values(data.nodes), (n) => n.name);
  // Master and candidates, in the order Ganeti's config holds them (by UUID).
  const mcs = Object.keys(data.nodes)
    .sort()
    .map((id) => data.nodes[id]!)
    .filter((n) => n.uuid === c.master_node || n.master_candidate);
  const master = data.nodes[c.master_node];
  const ndparams = (n: DeepReadonly<Node>) => ({
    ...(c.ndparams ?? {}),
    ...(data.nodegroups[n.group]?.ndparams ?? {}),
    ...(n.ndparams ?? {}),
  });
  const sshPort = (n: DeepReadonly<Node>) => (data.nodegroups[n.group] ? paramString(ndparams(n)['ssh_port'] ?? 22) : '');

  const values: Partial<Record<SsconfKey, string>> = {
    cluster_name: c.cluster_name,
    cluster_tags: lines([...(c.tags ?? [])].sort()),
    file_storage_dir: c.file_storage_dir ?? '',
    shared_file_storage_dir: c.shared_file_storage_dir ?? '',
    gluster_storage_dir: c.gluster_storage_dir ?? '',
    master_candidates: lines(mcs.map((n) => n.name)),
    master_candidates_ips: lines(mcs.map((n) => n.primary_ip)),
    master_candidates_certs: lines(
      Object.keys(c.candidate_certs ?? {})
        .sort()
        .map((id) => `${id}=${c.candidate_certs[id]}`),
    ),
    master_ip: c.master_ip,
    master_netdev: c.master_netdev,
    master_netmask: String(c.master_netmask),
    master_node: master ? master.name : 'NO MASTER',
    node_list: lines(nodes.map((n) => n.name)),
    node_primary_ips: lines(nodes.map((n) => `${n.name} ${n.primary_ip}`)),
    node_secondary_ips: lines(nodes.map((n) => `${n.name} ${n.secondary_ip}`)),
    node_vm_capable: lines(nodes.map((n) => `${n.name}=${pyBool(n.vm_capable)}`)),
    offline_nodes: lines(nodes.filter((n) => n.offline).map((n) => n.name)),
    online_nodes: lines(nodes.filter((n) => !n.offline).map((n) => n.name)),
    primary_ip_family: String(c.primary_ip_family),
    instance_list: lines(niceSort(Object.values(data.instances).map((i) => i.name))),
    release_version: options.releaseVersion ?? COMPAT_RELEASE_VERSION,
    hypervisor_list: lines(c.enabled_hypervisors),
    maintain_node_health: pyBool(c.maintain_node_health),
    uid_pool: lines((c.uid_pool ?? []).map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`))),
    nodegroups: lines(niceSortBy(Object.values(data.nodegroups), (g) => g.name).map((g) => `${g.uuid} ${g.name}`)),
    networks: lines(
      Object.keys(data.networks)
        .sort()
        .map((id) => `${id} ${data.networks[id]!.name}`),
    ),
    enabled_user_shutdown: pyBool(c.enabled_user_shutdown),
    ssh_ports: lines(nodes.map((n) => `${n.name}=${sshPort(n)}`)),
    extstorage_search_path: lines(c.extstorage_search_path ?? []),
  };
  for (const hv of HYPERVISOR_TYPES) {
    const p = c.hvparams?.[hv] ?? {};
    values[`hvparams_${hv}`] = lines(
      Object.keys(p)
        .sort()
        .map((k) => `${k}=${paramString(p[k])}`),
    );
  }
  return Object.freeze(values) as SsconfValues;
}

/** The file content of a value: Ganeti ends a non-empty value with a newline. */
export const ssconfFileContent = (value: string): string => (value && !value.endsWith('\n') ? `${value}\n` : value);

export interface WriteSsconfOptions {
  fs?: ConfigFs;
  /** How long to wait for another writer's ssconf lock (default 10 s). */
  lockWaitMs?: number;
}

export interface WriteSsconfResult {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
}

/**
 * Writes `ssconf_<key>` for each value that differs from the file on disk (or whose file is
 * missing or not mode 0444): each atomically (temp file, fsync, rename), the folder synced
 * once at the end, under Ganeti's ssconf lock file.
 */
export async function writeSsconfFiles(
  paths: Pick<GanetiPaths, 'ssconf' | 'ssconfLock' | 'dataDir'>,
  values: Readonly<Record<string, string>>,
  options: WriteSsconfOptions = {},
): Promise<WriteSsconfResult> {
  const fs = options.fs ?? nodeConfigFs;
  for (const [key, value] of Object.entries(values)) {
    const size = Buffer.byteLength(ssconfFileContent(value));
    if (size > SSCONF_MAX_SIZE) throw new GanetiError('GNT_CONFIG_INVALID', { what: `ssconf key ${key}`, problem: `the value has ${size} bytes, more than the ${SSCONF_MAX_SIZE} allowed` });
  }
  await fs.mkdir(paths.dataDir, 0o755);
  await fs.mkdir(dirname(paths.ssconfLock), 0o755);
  const lock = await acquireLock(paths.ssconfLock, { waitMs: options.lockWaitMs ?? 10000 });
  if (!lock.acquired) throw new GanetiError('GNT_CONFIG_LOCKED', { file: 'ssconf', lock: paths.ssconfLock, pid: String(lock.holder.pid) });
  const written: string[] = [];
  const unchanged: string[] = [];
  try {
    for (const [key, value] of Object.entries(values)) {
      const file = paths.ssconf(key);
      const content = Buffer.from(ssconfFileContent(value));
      const [old, id] = await Promise.all([fs.readFile(file).catch(() => null), fs.stat(file)]);
      if (old !== null && id !== null && id.mode === 0o444 && old.equals(content)) {
        unchanged.push(key);
        continue;
      }
      try {
        await writeFileAtomic(fs, file, [content], { mode: 0o444, syncDir: false });
      } catch (e) {
        throw new GanetiError('GNT_CONFIG_WRITE_FAILED', { file, reason: describeError(e) }, { cause: e });
      }
      written.push(key);
    }
    if (written.length > 0) {
      try {
        await fs.fsyncDir(paths.dataDir);
      } catch (e) {
        throw new GanetiError('GNT_CONFIG_WRITE_FAILED', { file: paths.dataDir, reason: `syncing the folder after writing ssconf files failed: ${describeError(e)}` }, { cause: e });
      }
    }
  } finally {
    await lock.release();
  }
  return { written, unchanged };
}
