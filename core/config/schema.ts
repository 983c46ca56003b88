import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { ObjectKind } from './objects.js';
import { lazyAjv } from '../schema/ajv.js';

/**
 * JSON schema of `config.data` (ajv, draft-07). It checks the types of the fields ganeti-ts
 * knows and lets every other field through (`additionalProperties` is never false): a file
 * written by a newer Ganeti or edited by a tool loads, and its extra fields are written back.
 *
 * Two levels:
 * - `loaded`: what a real 2.16, 3.0 or 3.1 file must look like before the in-memory upgrade
 *   (UUIDs of NICs and DRBD children, timestamps, serial numbers, ... may be missing);
 * - `current`: what ganeti-ts writes, after the upgrade filled those in.
 * Validators are compiled on first use, once; ajv itself is loaded lazily.
 */

type Schema = Record<string, unknown>;
export type SchemaLevel = 'loaded' | 'current';

const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number' };
const bool = { type: 'boolean' };
const obj = { type: 'object' };
const strList = { type: 'array', items: str };
const optStr = { type: ['string', 'null'] };
const dictOf = (v: Schema) => ({ type: 'object', additionalProperties: v });
const uuid = str;

function build(level: SchemaLevel): Schema {
  const cur = level === 'current';
  const req = (always: string[], current: string[] = []) => (cur ? [...always, ...current] : always);
  const stamped = ['uuid', 'serial_no', 'ctime', 'mtime'];
  const base = { uuid, serial_no: int, ctime: num, mtime: num };
  const tagged = { tags: strList };

  const ipolicy = {
    type: 'object',
    properties: {
      minmax: { type: 'array', items: { type: 'object', properties: { min: obj, max: obj } } },
      std: obj,
      'spindle-ratio': num,
      'vcpu-ratio': num,
      'disk-templates': strList,
    },
  };

  const cluster = {
    type: 'object',
    required: req(['cluster_name', 'master_node'], [...stamped, 'tags', 'enabled_hypervisors', 'hvparams', 'beparams', 'nicparams', 'ndparams', 'diskparams', 'ipolicy']),
    properties: {
      ...base,
      ...tagged,
      cluster_name: str,
      master_node: uuid,
      master_ip: str,
      master_netdev: str,
      master_netmask: int,
      primary_ip_family: { enum: [2, 10] },
      use_external_mip_script: bool,
      mac_prefix: str,
      volume_group_name: optStr,
      reserved_lvs: strList,
      drbd_usermode_helper: optStr,
      file_storage_dir: str,
      shared_file_storage_dir: str,
      extstorage_search_path: strList,
      gluster_storage_dir: str,
      enabled_hypervisors: strList,
      hvparams: dictOf(obj),
      os_hvp: dictOf(dictOf(obj)),
      beparams: dictOf(obj),
      osparams: dictOf(obj),
      osparams_private_cluster: dictOf(obj),
      nicparams: dictOf(obj),
      ndparams: obj,
      diskparams: dictOf(obj),
      ipolicy,
      candidate_pool_size: int,
      modify_etc_hosts: bool,
      modify_ssh_setup: bool,
      maintain_node_health: bool,
      uid_pool: { type: 'array', items: { type: 'array', items: int, minItems: 2, maxItems: 2 } },
      default_iallocator: str,
      default_iallocator_params: obj,
      hidden_os: strList,
      blacklisted_os: strList,
      prealloc_wipe_disks: bool,
      hv_state_static: dictOf(obj),
      disk_state_static: dictOf(obj),
      enabled_disk_templates: strList,
      candidate_certs: dictOf(str),
      max_running_jobs: int,
      max_tracked_jobs: int,
      install_image: str,
      instance_communication_network: str,
      zeroing_image: str,
      compression_tools: strList,
      enabled_user_shutdown: bool,
      data_collectors: dictOf({ type: 'object', properties: { active: bool, interval: num } }),
      ssh_key_type: { enum: ['rsa', 'dsa', 'ecdsa'] },
      ssh_key_bits: int,
      highest_used_port: int,
      tcpudp_port_pool: { type: 'array', items: int },
      rsahostkeypub: str,
      dsahostkeypub: optStr,
    },
  };

  const node = {
    type: 'object',
    required: req(['name', 'primary_ip'], [...stamped, 'tags', 'group', 'ndparams']),
    properties: {
      ...base,
      ...tagged,
      name: str,
      primary_ip: str,
      secondary_ip: str,
      master_candidate: bool,
      offline: bool,
      drained: bool,
      group: uuid,
      master_capable: bool,
      vm_capable: bool,
      ndparams: obj,
      powered: bool,
      hv_state_static: dictOf(obj),
      disk_state_static: dictOf(obj),
    },
  };

  const nodegroup = {
    type: 'object',
    required: req(['name'], [...stamped, 'tags', 'ndparams', 'diskparams', 'ipolicy', 'alloc_policy', 'networks']),
    properties: {
      ...base,
      ...tagged,
      name: str,
      ndparams: obj,
      diskparams: dictOf(obj),
      ipolicy,
      alloc_policy: { enum: ['preferred', 'last_resort', 'unallocable'] },
      networks: dictOf(obj),
      hv_state_static: dictOf(obj),
      disk_state_static: dictOf(obj),
    },
  };

  const nic = {
    type: 'object',
    required: req([], ['uuid', 'mac', 'nicparams']),
    properties: {
      uuid,
      mac: str,
      ip: optStr,
      network: optStr,
      name: optStr,
      nicparams: obj,
      pci: int,
      hvinfo: obj,
    },
  };

  const instance = {
    type: 'object',
    required: req(['name', 'primary_node'], [...stamped, 'tags', 'os', 'hypervisor', 'hvparams', 'beparams', 'osparams', 'osparams_private', 'admin_state', 'admin_state_source', 'nics', 'disks', 'disks_active']),
    properties: {
      ...base,
      ...tagged,
      name: str,
      primary_node: uuid,
      os: str,
      hypervisor: str,
      hvparams: obj,
      beparams: obj,
      osparams: obj,
      osparams_private: obj,
      admin_state: { enum: ['up', 'down', 'offline'] },
      admin_state_source: { enum: ['admin', 'user'] },
      nics: { type: 'array', items: { $ref: '#/definitions/nic' } },
      disks: { type: 'array', items: uuid },
      disks_active: bool,
      network_port: int,
      forthcoming: bool,
    },
  };

  // DRBD children are nested disks; a top-level disk also carries the full stamp and nodes.
  const diskSchema = (top: boolean) => ({
    type: 'object',
    required: req(['dev_type', 'logical_id', 'size'], ['uuid', 'params', ...(top ? ['serial_no', 'ctime', 'mtime', 'nodes'] : [])]),
    properties: {
      ...base,
      dev_type: { type: 'string', minLength: 1 },
      logical_id: { type: 'array', items: { type: ['string', 'integer'] } },
      children: { type: 'array', items: { $ref: '#/definitions/disk' } },
      nodes: { type: 'array', items: uuid },
      iv_name: str,
      size: int,
      mode: { enum: ['rw', 'ro'] },
      params: obj,
      spindles: int,
      name: optStr,
      pci: int,
      hvinfo: obj,
      forthcoming: bool,
    },
  });
  const disk = diskSchema(false);
  const topDisk = diskSchema(true);

  const bitmap = { type: 'string', pattern: '^[01]*$' };
  const network = {
    type: 'object',
    required: req(['name', 'network'], [...stamped, 'tags']),
    properties: {
      ...base,
      ...tagged,
      name: { type: 'string', minLength: 1 },
      network: str,
      gateway: optStr,
      network6: optStr,
      gateway6: optStr,
      mac_prefix: optStr,
      reservations: bitmap,
      ext_reservations: bitmap,
    },
  };

  const filter = {
    type: 'object',
    required: req([], ['uuid', 'watermark', 'priority', 'predicates', 'action', 'reason_trail']),
    properties: {
      uuid,
      watermark: int,
      priority: { type: 'integer', minimum: 0 },
      predicates: { type: 'array' },
      action: { type: ['string', 'array'] },
      reason_trail: { type: 'array' },
    },
  };

  return {
    $id: `ganeti-config-${level}`,
    type: 'object',
    required: req(['version', 'cluster'], ['nodes', 'nodegroups', 'instances', 'disks', 'networks', 'filters', 'serial_no', 'ctime', 'mtime']),
    properties: {
      version: int,
      cluster: { $ref: '#/definitions/cluster' },
      nodes: dictOf({ $ref: '#/definitions/node' }),
      nodegroups: dictOf({ $ref: '#/definitions/nodegroup' }),
      instances: dictOf({ $ref: '#/definitions/instance' }),
      disks: dictOf({ $ref: '#/definitions/topDisk' }),
      networks: dictOf({ $ref: '#/definitions/network' }),
      filters: dictOf({ $ref: '#/definitions/filter' }),
      serial_no: int,
      ctime: num,
      mtime: num,
    },
    definitions: { cluster, node, nodegroup, nic, instance, disk, topDisk, network, filter },
  };
}

/** The schema of a whole `config.data` at a level (a fresh copy; for documentation and tools). */
export const configSchema = (level: SchemaLevel): Schema => build(level);

// No coercion, no defaults: validation never changes the data it looks at.
const baseAjv = lazyAjv({ allErrors: false, coerceTypes: false, useDefaults: false, strict: true, allowUnionTypes: true });
let schemasAdded = false;
const getAjv = (): Ajv => {
  const ajv = baseAjv();
  if (!schemasAdded) {
    ajv.addSchema(build('loaded'));
    ajv.addSchema(build('current'));
    schemasAdded = true;
  }
  return ajv;
};

const DEFINITION: Readonly<Record<ObjectKind | 'cluster', string>> = {
  cluster: 'cluster',
  nodes: 'node',
  nodegroups: 'nodegroup',
  instances: 'instance',
  disks: 'topDisk',
  networks: 'network',
  filters: 'filter',
};

const validators = new Map<string, ValidateFunction>();
function validator(ref: string): ValidateFunction {
  let v = validators.get(ref);
  if (!v) {
    v = getAjv().getSchema(ref);
    if (!v) throw new Error(`no schema ${ref}`);
    validators.set(ref, v);
  }
  return v;
}

/** The first problem ajv found, as `<path> <message>`; `prefix` is prepended to the path. */
function describe(errors: ErrorObject[] | null | undefined, prefix: string): string {
  const e = errors?.[0];
  if (!e) return 'does not match the schema';
  const at = `${prefix}${e.instancePath}` || '/';
  const extra = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(', ')})` : '';
  return `${at} ${e.message ?? 'is invalid'}${extra}`;
}

/** Checks a whole config; returns the first problem (`/instances/<uuid>/disks must be array`) or null. */
export function configProblem(data: unknown, level: SchemaLevel): string | null {
  const v = validator(`ganeti-config-${level}`);
  return v(data) ? null : describe(v.errors, '');
}

/**
 * Checks one object of the current schema (the cluster, or one entry of a keyed collection),
 * for writes that touch a few objects of a large config. `path` prefixes the problem's path.
 */
export function objectProblem(kind: ObjectKind | 'cluster', value: unknown, path: string): string | null {
  const v = validator(`ganeti-config-current#/definitions/${DEFINITION[kind]}`);
  return v(value) ? null : describe(v.errors, path);
}
