import { arch } from 'node:os';
import { VERSION } from '../version.js';

/** Ganeti's version numbers (major*1000000 + minor*10000 + revision) that ganeti-ts speaks. */
export const PROTOCOL_VERSION = 3000000;
export const OS_API_VERSION = 20;
export const EXPORT_VERSION = 0;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

/** The cluster information of OP_CLUSTER_QUERY / RAPI `/2/info`, from config.data. */
export function clusterInfo(data: unknown): Record<string, unknown> {
  const config = obj(data);
  const c = obj(config['cluster']);
  const nodes = obj(config['nodes']);
  const master = obj(nodes[String(c['master_node'])]);
  const enabled = Array.isArray(c['enabled_hypervisors']) ? (c['enabled_hypervisors'] as string[]) : [];
  const pick = (k: string, d: unknown = null) => (c[k] === undefined ? d : c[k]);
  return {
    software_version: VERSION,
    protocol_version: PROTOCOL_VERSION,
    config_version: config['version'] ?? null,
    os_api_version: OS_API_VERSION,
    export_version: EXPORT_VERSION,
    vcs_version: `ganeti-ts v${VERSION}`,
    architecture: [arch() === 'x64' || arch() === 'arm64' ? '64bit' : '32bit', arch() === 'x64' ? 'x86_64' : arch()],
    name: pick('cluster_name'),
    master: master['name'] ?? null,
    default_hypervisor: enabled[0] ?? null,
    enabled_hypervisors: enabled,
    hvparams: pick('hvparams', {}),
    os_hvp: pick('os_hvp', {}),
    beparams: pick('beparams', {}),
    osparams: pick('osparams', {}),
    ipolicy: pick('ipolicy', {}),
    nicparams: pick('nicparams', {}),
    ndparams: pick('ndparams', {}),
    diskparams: pick('diskparams', {}),
    candidate_pool_size: pick('candidate_pool_size'),
    max_running_jobs: pick('max_running_jobs', 20),
    max_tracked_jobs: pick('max_tracked_jobs', 25),
    mac_prefix: pick('mac_prefix'),
    master_netdev: pick('master_netdev'),
    master_netmask: pick('master_netmask'),
    use_external_mip_script: pick('use_external_mip_script', false),
    volume_group_name: pick('volume_group_name'),
    drbd_usermode_helper: pick('drbd_usermode_helper'),
    file_storage_dir: pick('file_storage_dir'),
    shared_file_storage_dir: pick('shared_file_storage_dir'),
    extstorage_search_path: pick('extstorage_search_path', []),
    maintain_node_health: pick('maintain_node_health', false),
    ctime: pick('ctime'),
    mtime: pick('mtime'),
    uuid: pick('uuid'),
    tags: pick('tags', []),
    uid_pool: pick('uid_pool', []),
    default_iallocator: pick('default_iallocator', ''),
    default_iallocator_params: pick('default_iallocator_params', {}),
    reserved_lvs: pick('reserved_lvs', []),
    primary_ip_version: pick('primary_ip_family', 2) === 10 ? 6 : 4,
    prealloc_wipe_disks: pick('prealloc_wipe_disks', false),
    hidden_os: pick('hidden_os', []),
    blacklisted_os: pick('blacklisted_os', []),
    enabled_disk_templates: pick('enabled_disk_templates', []),
    install_image: pick('install_image', ''),
    instance_communication_network: pick('instance_communication_network', ''),
    compression_tools: pick('compression_tools', []),
    enabled_user_shutdown: pick('enabled_user_shutdown', false),
  };
}
