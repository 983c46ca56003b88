import { randomUUID } from 'node:crypto';
import { GanetiError } from '../errors/index.js';
import { isUuid, OBJECT_KINDS, type ConfigData } from './objects.js';

/**
 * In-memory upgrade of a loaded `config.data` to the version ganeti-ts writes.
 *
 * ganeti-ts writes Ganeti 3.1's config version, 3010000: the interfaces it follows are 3.1's
 * (LUXI sends 3010000 as its protocol version) and a 3.1 file differs from 3.0 only in values
 * (no `xen_cmd`, `disk_discard` never `default`, an `rbd` `user-id` disk parameter), so a
 * cluster's file can go back to a Ganeti 3.1 master as it is. Files of 2.16 (2160000 ... ) and
 * 3.0 are upgraded; anything older than 2.16 (run Ganeti's own cfgupgrade first) or newer than
 * 3.1 is refused with GNT_CONFIG_VERSION.
 *
 * The upgrade follows Ganeti's cfgupgrade and objects.py `UpgradeConfig` for what a 2.16+
 * file can lack, and is idempotent, so it also runs on 3.1 files (filling what a tool may have
 * left out):
 * - every stored object gets a `uuid` (the key it is stored under when that is a UUID, else a
 *   new one; a collection keyed by name is re-keyed by UUID and the references to its objects
 *   rewritten), as do NICs and DRBD children;
 * - missing `serial_no` becomes 1, `ctime` 0 ("unknown", as Ganeti's own reader assumes),
 *   `mtime` the time of the upgrade; taggable objects get `tags: []`;
 * - fields added between 2.16 and 3.1 get their documented defaults (`ssh_key_type`/`bits`
 *   `dsa`/1024 as cfgupgrade sets for clusters created before 2.16, data collectors, ...);
 * - 3.0 → 3.1: `xen_cmd` is dropped from the Xen hypervisor parameters and a kvm
 *   `disk_discard` of `default` becomes `ignore`.
 * Unknown fields are left alone. The input object is changed in place and returned.
 */

export const CONFIG_VERSION = 3010000;
export const OLDEST_CONFIG_VERSION = 2160000;

export const buildVersion = (major: number, minor: number, revision = 0): number => major * 1000000 + minor * 10000 + revision;

export function splitVersion(version: number): [number, number, number] {
  return [Math.floor(version / 1000000), Math.floor((version % 1000000) / 10000), version % 10000];
}

/** `3010000` → `3.1.0` */
export const formatVersion = (version: number): string => splitVersion(version).join('.');

/** Ganeti's release matching CONFIG_VERSION (what ssconf_release_version holds by default). */
export const COMPAT_RELEASE_VERSION = formatVersion(CONFIG_VERSION);

const SUPPORTED = `${formatVersion(OLDEST_CONFIG_VERSION).replace(/\.0$/, '')}, 3.0 and ${formatVersion(CONFIG_VERSION).replace(/\.0$/, '')} (${OLDEST_CONFIG_VERSION}, ${buildVersion(3, 0)}, ${CONFIG_VERSION})`;

/** Whether ganeti-ts reads a file of this version (2.16.x, 3.0.x, 3.1.x). */
export function isSupportedVersion(version: number): boolean {
  if (!Number.isInteger(version) || version < 0) return false;
  const [major, minor] = splitVersion(version);
  return (major === 2 && minor === 16) || (major === 3 && (minor === 0 || minor === 1));
}

/** Throws GNT_CONFIG_VERSION unless `version` is one ganeti-ts reads. */
export function checkVersion(version: unknown, file: string): number {
  if (typeof version === 'number' && isSupportedVersion(version)) return version;
  const found = typeof version === 'number' && Number.isInteger(version) ? `${formatVersion(version)} (${version})` : JSON.stringify(version);
  throw new GanetiError('GNT_CONFIG_VERSION', { file, found, supported: SUPPORTED });
}

export interface UpgradeOptions {
  /** Time stamp for fields filled in (float seconds); default now. */
  now?: number;
  newUuid?: () => string;
  /** Named in errors. */
  file?: string;
}

export interface UpgradeResult {
  data: ConfigData;
  from: number;
  to: number;
  /** What was changed, one line each (empty when nothing was). */
  changes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Data collectors Ganeti knows and their default (active, every 5 s in microseconds). */
const DATA_COLLECTORS = ['cpu-avg-load', 'diskstats', 'drbd', 'inst-status-xen', 'lv', 'xen-cpu-avg-load'];
const COLLECTOR_INTERVAL_US = 5 * 1e6;

const CLUSTER_DEFAULTS: ReadonlyArray<[string, () => unknown]> = [
  ['tags', () => []],
  ['os_hvp', () => ({})],
  ['osparams', () => ({})],
  ['osparams_private_cluster', () => ({})],
  ['modify_etc_hosts', () => true],
  ['modify_ssh_setup', () => true],
  ['maintain_node_health', () => false],
  ['uid_pool', () => []],
  ['default_iallocator', () => ''],
  ['default_iallocator_params', () => ({})],
  ['reserved_lvs', () => []],
  ['hidden_os', () => []],
  ['blacklisted_os', () => []],
  ['primary_ip_family', () => 2],
  ['prealloc_wipe_disks', () => false],
  ['shared_file_storage_dir', () => ''],
  ['gluster_storage_dir', () => ''],
  ['use_external_mip_script', () => false],
  ['hv_state_static', () => ({})],
  ['disk_state_static', () => ({})],
  ['candidate_certs', () => ({})],
  ['max_running_jobs', () => 20],
  ['max_tracked_jobs', () => 25],
  ['instance_communication_network', () => ''],
  ['install_image', () => ''],
  ['zeroing_image', () => ''],
  ['compression_tools', () => ['gzip', 'gzip-fast', 'gzip-slow']],
  ['enabled_user_shutdown', () => false],
  // cfgupgrade: a cluster without these predates 2.16's key type choice, its keys are DSA.
  ['ssh_key_type', () => 'dsa'],
  ['ssh_key_bits', () => 1024],
];

export function upgradeConfig(input: unknown, options: UpgradeOptions = {}): UpgradeResult {
  const file = options.file ?? 'config.data';
  if (!isObj(input)) throw new GanetiError('GNT_CONFIG_INVALID', { what: file, problem: 'the top level is not a JSON object' });
  const from = checkVersion(input['version'], file);
  const now = options.now ?? Date.now() / 1000;
  const newUuid = options.newUuid ?? randomUUID;
  const changes: string[] = [];
  const cfg = input;

  if (!isObj(cfg['cluster'])) throw new GanetiError('GNT_CONFIG_INVALID', { what: file, problem: 'there is no cluster object' });
  const cluster = cfg['cluster'];

  for (const kind of OBJECT_KINDS) {
    if (!isObj(cfg[kind])) {
      cfg[kind] = {};
      changes.push(`added an empty '${kind}' collection`);
    }
  }
  const coll = (kind: string) => cfg[kind] as Record<string, Obj>;

  // 1. UUIDs and keys. References by an old key are rewritten to the UUID.
  const renamed: Record<string, Map<string, string>> = {};
  for (const kind of OBJECT_KINDS) {
    const old = coll(kind);
    const map = new Map<string, string>();
    renamed[kind] = map;
    // The usual case: every object is stored under its own UUID. Check that without copying.
    let consistent = true;
    for (const key in old) {
      const o = old[key];
      if (!isObj(o)) throw new GanetiError('GNT_CONFIG_INVALID', { what: file, problem: `/${kind}/${key} is not an object` });
      if (o['uuid'] !== key) {
        consistent = false;
        break;
      }
    }
    if (consistent) continue;
    const rekeyed: Record<string, Obj> = {};
    for (const key of Object.keys(old)) {
      const o = old[key] as Obj;
      if (!isObj(o)) throw new GanetiError('GNT_CONFIG_INVALID', { what: file, problem: `/${kind}/${key} is not an object` });
      if (typeof o['uuid'] !== 'string' || o['uuid'] === '') {
        o['uuid'] = isUuid(key) && !Object.hasOwn(rekeyed, key) && !Object.hasOwn(old, key + '\0') ? key : newUuid();
        changes.push(`${kind}/${key}: set uuid ${String(o['uuid'])}`);
      }
      const id = o['uuid'] as string;
      if (Object.hasOwn(rekeyed, id)) throw new GanetiError('GNT_CONFIG_INVALID', { what: file, problem: `two ${kind} have UUID ${id}` });
      if (id !== key) {
        map.set(key, id);
        changes.push(`${kind}: re-keyed '${key}' by its UUID ${id}`);
      }
      rekeyed[id] = o;
    }
    cfg[kind] = rekeyed;
  }
  const ref = (kind: string, v: unknown): unknown => (typeof v === 'string' ? (renamed[kind]!.get(v) ?? v) : v);
  if (renamed['nodes']!.size > 0) {
    cluster['master_node'] = ref('nodes', cluster['master_node']);
    if (isObj(cluster['candidate_certs'])) {
      const certs: Obj = {};
      for (const [k, v] of Object.entries(cluster['candidate_certs'])) certs[ref('nodes', k) as string] = v;
      cluster['candidate_certs'] = certs;
    }
    for (const inst of Object.values(coll('instances'))) inst['primary_node'] = ref('nodes', inst['primary_node']);
    const fixDisk = (d: Obj) => {
      if (Array.isArray(d['nodes'])) d['nodes'] = d['nodes'].map((n) => ref('nodes', n));
      if (d['dev_type'] === 'drbd' || d['dev_type'] === 'drbd8') {
        const lid = d['logical_id'];
        if (Array.isArray(lid)) for (let i = 0; i < 2 && i < lid.length; i++) lid[i] = ref('nodes', lid[i]);
      }
      if (Array.isArray(d['children'])) for (const c of d['children']) if (isObj(c)) fixDisk(c);
    };
    for (const d of Object.values(coll('disks'))) fixDisk(d);
  }
  if (renamed['nodegroups']!.size > 0) for (const n of Object.values(coll('nodes'))) n['group'] = ref('nodegroups', n['group']);
  if (renamed['disks']!.size > 0) {
    for (const inst of Object.values(coll('instances'))) if (Array.isArray(inst['disks'])) inst['disks'] = inst['disks'].map((d) => ref('disks', d));
  }
  // NICs may name their network by name (cfgupgrade) or by an old key.
  const networkByName = new Map<string, string>();
  for (const [id, n] of Object.entries(coll('networks'))) if (typeof n['name'] === 'string') networkByName.set(n['name'], id);
  const networks = coll('networks');
  const groupNets = (g: Obj) => {
    if (!isObj(g['networks']) || renamed['networks']!.size === 0) return;
    const nets: Obj = {};
    for (const [k, v] of Object.entries(g['networks'])) nets[ref('networks', k) as string] = v;
    g['networks'] = nets;
  };
  for (const g of Object.values(coll('nodegroups'))) groupNets(g);

  // 2. The cluster.
  if (typeof cluster['uuid'] !== 'string' || cluster['uuid'] === '') {
    cluster['uuid'] = newUuid();
    changes.push(`cluster: set uuid ${String(cluster['uuid'])}`);
  }
  stamp(cluster, 'cluster', now, changes);
  for (const [field, make] of CLUSTER_DEFAULTS) {
    if (cluster[field] === undefined || cluster[field] === null) {
      cluster[field] = make();
      changes.push(`cluster: added ${field}`);
    }
  }
  if (cluster['master_netmask'] === undefined || cluster['master_netmask'] === null) {
    cluster['master_netmask'] = cluster['primary_ip_family'] === 10 ? 128 : 32;
    changes.push('cluster: added master_netmask');
  }
  if (!isObj(cluster['data_collectors'])) cluster['data_collectors'] = {};
  const collectors = cluster['data_collectors'] as Obj;
  for (const name of DATA_COLLECTORS) {
    if (!isObj(collectors[name])) {
      collectors[name] = { active: true, interval: COLLECTOR_INTERVAL_US };
      changes.push(`cluster: added data collector ${name}`);
    }
  }
  const hvparams = isObj(cluster['hvparams']) ? cluster['hvparams'] : undefined;
  if (hvparams) {
    for (const hv of ['xen-pvm', 'xen-hvm']) {
      const p = hvparams[hv];
      if (isObj(p) && 'xen_cmd' in p) {
        delete p['xen_cmd'];
        changes.push(`cluster: removed hvparams/${hv}/xen_cmd (3.1 has only the xl toolstack)`);
      }
    }
    const kvm = hvparams['kvm'];
    if (isObj(kvm) && kvm['disk_discard'] === 'default') {
      kvm['disk_discard'] = 'ignore';
      changes.push("cluster: hvparams/kvm/disk_discard 'default' became 'ignore'");
    }
  }
  const rbdUserId = (owner: string, holder: Obj) => {
    const dp = holder['diskparams'];
    if (isObj(dp) && isObj(dp['rbd']) && !('user-id' in dp['rbd'])) {
      dp['rbd']['user-id'] = '';
      changes.push(`${owner}: added diskparams/rbd/user-id`);
    }
  };
  rbdUserId('cluster', cluster);

  // 3. Nodes, groups, instances, disks, networks. Labels are built only for a change.
  const nodes = coll('nodes');
  for (const id in nodes) {
    const n = nodes[id]!;
    const what = () => `node ${String(n['name'] ?? id)}`;
    stamp(n, what, now, changes);
    fill(n, what, changes, NODE_DEFAULTS);
  }
  const groups = coll('nodegroups');
  for (const id in groups) {
    const g = groups[id]!;
    const what = () => `node group ${String(g['name'] ?? id)}`;
    stamp(g, what, now, changes);
    fill(g, what, changes, GROUP_DEFAULTS);
    rbdUserId(what(), g);
  }
  const disks = coll('disks');
  const instances = coll('instances');
  for (const id in instances) {
    const inst = instances[id]!;
    const what = () => `instance ${String(inst['name'] ?? id)}`;
    stamp(inst, what, now, changes);
    if (inst['disks_active'] === undefined || inst['disks_active'] === null) {
      inst['disks_active'] = inst['admin_state'] === 'up';
      changes.push(`${what()}: added disks_active`);
    }
    fill(inst, what, changes, INSTANCE_DEFAULTS);
    if ('disk_template' in inst) {
      delete inst['disk_template'];
      changes.push(`${what()}: removed disk_template (computed from its disks)`);
    }
    const hv = inst['hvparams'];
    if (isObj(hv) && hv['disk_discard'] === 'default') {
      hv['disk_discard'] = 'ignore';
      changes.push(`${what()}: hvparams/disk_discard 'default' became 'ignore'`);
    }
    const nics = inst['nics'];
    if (Array.isArray(nics)) {
      for (let i = 0; i < nics.length; i++) {
        const nic: unknown = nics[i];
        if (!isObj(nic)) continue;
        if (typeof nic['uuid'] !== 'string' || nic['uuid'] === '') {
          nic['uuid'] = newUuid();
          changes.push(`${what()}: set uuid of NIC ${i}`);
        }
        if (nic['nicparams'] === undefined) {
          nic['nicparams'] = {};
          changes.push(`${what()}: added nicparams of NIC ${i}`);
        }
        const net = nic['network'];
        if (typeof net === 'string' && net !== '' && !Object.hasOwn(networks, net)) {
          const byKey = renamed['networks']!.get(net) ?? networkByName.get(net);
          if (byKey) {
            nic['network'] = byKey;
            changes.push(`${what()}: NIC ${i} names its network by UUID`);
          }
        }
      }
    }
    // Disk nodes (cfgupgrade UpgradeDiskNodes): DRBD on both nodes, plain/file on the
    // primary, other templates reachable from anywhere.
    const own = (Array.isArray(inst['disks']) ? inst['disks'] : []).map((d) => disks[d as string]).filter(isObj);
    if (own.every((d) => Array.isArray(d['nodes']))) continue;
    const reach = new Set<unknown>([inst['primary_node']]);
    for (const d of own) drbdNodes(d, reach);
    for (const d of own) {
      if (Array.isArray(d['nodes'])) continue;
      const t = d['dev_type'];
      const list = t === 'drbd' || t === 'drbd8' || t === 'plain' || t === 'lvm' || t === 'file' ? [...reach] : [];
      setNodes(d, list, t === 'drbd' || t === 'drbd8');
      changes.push(`disk ${String(d['uuid'])}: set nodes`);
    }
  }
  for (const id in disks) upgradeDisk(disks[id]!, id, true, now, newUuid, changes);
  for (const id in networks) {
    const n = networks[id]!;
    const what = () => `network ${String(n['name'] ?? id)}`;
    stamp(n, what, now, changes);
    fill(n, what, changes, TAGS_DEFAULT);
    for (const legacy of ['network_type', 'family']) {
      if (legacy in n) {
        delete n[legacy];
        changes.push(`${what()}: removed ${legacy}`);
      }
    }
  }

  // 4. Top level.
  if (typeof cfg['serial_no'] !== 'number') {
    cfg['serial_no'] = 1;
    changes.push('set serial_no');
  }
  if (typeof cfg['ctime'] !== 'number') {
    cfg['ctime'] = 0;
    changes.push('set ctime');
  }
  if (typeof cfg['mtime'] !== 'number') {
    cfg['mtime'] = now;
    changes.push('set mtime');
  }
  if (from !== CONFIG_VERSION) {
    cfg['version'] = CONFIG_VERSION;
    changes.push(`version ${formatVersion(from)} (${from}) → ${formatVersion(CONFIG_VERSION)} (${CONFIG_VERSION})`);
  }
  return { data: cfg as unknown as ConfigData, from, to: CONFIG_VERSION, changes };
}

type Defaults = ReadonlyArray<readonly [string, () => unknown]>;
const emptyObj = () => ({});
const emptyList = () => [];
const TAGS_DEFAULT: Defaults = [['tags', emptyList]];
const NODE_DEFAULTS: Defaults = [
  ['tags', emptyList],
  ['ndparams', emptyObj],
  ['master_capable', () => true],
  ['vm_capable', () => true],
  ['powered', () => true],
  ['master_candidate', () => false],
  ['offline', () => false],
  ['drained', () => false],
];
const GROUP_DEFAULTS: Defaults = [
  ['tags', emptyList],
  ['ndparams', emptyObj],
  ['diskparams', emptyObj],
  ['ipolicy', emptyObj],
  ['alloc_policy', () => 'preferred'],
  ['networks', emptyObj],
];
const INSTANCE_DEFAULTS: Defaults = [
  ['tags', emptyList],
  ['hvparams', emptyObj],
  ['beparams', emptyObj],
  ['osparams', emptyObj],
  ['osparams_private', emptyObj],
  ['nics', emptyList],
  ['disks', emptyList],
  ['admin_state_source', () => 'admin'],
];

type Label = string | (() => string);
const label = (what: Label) => (typeof what === 'string' ? what : what());

function stamp(o: Obj, what: Label, now: number, changes: string[]): void {
  if (typeof o['serial_no'] === 'number' && typeof o['ctime'] === 'number' && typeof o['mtime'] === 'number') return;
  const added: string[] = [];
  if (typeof o['serial_no'] !== 'number') {
    o['serial_no'] = 1;
    added.push('serial_no');
  }
  if (typeof o['ctime'] !== 'number') {
    o['ctime'] = 0;
    added.push('ctime');
  }
  if (typeof o['mtime'] !== 'number') {
    o['mtime'] = now;
    added.push('mtime');
  }
  changes.push(`${label(what)}: added ${added.join(', ')}`);
}

function fill(o: Obj, what: Label, changes: string[], defaults: Defaults): void {
  for (const [field, make] of defaults) {
    if (o[field] === undefined || o[field] === null) {
      o[field] = make();
      changes.push(`${label(what)}: added ${field}`);
    }
  }
}

const LEGACY_DEV_TYPES: Readonly<Record<string, string>> = { lvm: 'plain', drbd8: 'drbd' };

function drbdNodes(d: Obj, into: Set<unknown>): void {
  if ((d['dev_type'] === 'drbd' || d['dev_type'] === 'drbd8') && Array.isArray(d['logical_id'])) {
    into.add(d['logical_id'][0]);
    into.add(d['logical_id'][1]);
  }
  if (Array.isArray(d['children'])) for (const c of d['children']) if (isObj(c)) drbdNodes(c, into);
}

function setNodes(d: Obj, nodes: unknown[], recurse: boolean): void {
  d['nodes'] = [...nodes];
  if (recurse && Array.isArray(d['children'])) for (const c of d['children']) if (isObj(c)) setNodes(c, nodes, true);
}

function upgradeDisk(d: Obj, where: string, top: boolean, now: number, newUuid: () => string, changes: string[]): void {
  const what = top ? `disk ${where}` : where;
  const t = d['dev_type'];
  if (typeof t === 'string' && t in LEGACY_DEV_TYPES) {
    d['dev_type'] = LEGACY_DEV_TYPES[t];
    changes.push(`${what}: dev_type '${t}' became '${String(d['dev_type'])}'`);
  }
  if (!isObj(d['params'])) {
    d['params'] = {};
    changes.push(`${what}: added params`);
  }
  if (typeof d['uuid'] !== 'string' || d['uuid'] === '') {
    d['uuid'] = newUuid();
    changes.push(`${what}: set uuid ${String(d['uuid'])}`);
  }
  if (top) {
    stamp(d, what, now, changes);
    if (!Array.isArray(d['nodes'])) {
      d['nodes'] = [];
      changes.push(`${what}: added nodes`);
    }
  }
  if (Array.isArray(d['children'])) {
    d['children'].forEach((c: unknown, i) => {
      if (isObj(c)) upgradeDisk(c, `${what} child ${i}`, false, now, newUuid, changes);
    });
  }
}
