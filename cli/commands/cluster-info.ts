import { readFile } from 'node:fs/promises';
import { ganetiPaths } from '../../core/paths.js';
import { luxiClient, formatTime } from '../common/luxi.js';
import { formatGenericInfo, InfoMap } from './generic-info.js';

type Info = Record<string, unknown>;
const join = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v ?? ''));

async function clusterInfo(): Promise<Info> {
  const client = luxiClient();
  try {
    return (await client.queryClusterInfo()) as Info;
  } finally {
    client.close();
  }
}

/** `gnt-cluster info`: Ganeti's layout (ShowClusterConfig). */
export async function showClusterInfo(): Promise<void> {
  const r = await clusterInfo();
  const enabled = (r['enabled_hypervisors'] as string[]) ?? [];
  const hvparams = Object.fromEntries(Object.entries((r['hvparams'] as Info) ?? {}).filter(([k]) => enabled.includes(k)));
  const paths = ganetiPaths();
  const info = new InfoMap([
    ['Cluster name', r['name']],
    ['Cluster UUID', r['uuid']],
    ['Creation time', formatTime(r['ctime'])],
    ['Modification time', formatTime(r['mtime'])],
    ['Master node', r['master']],
    ['Architecture (this node)', `${(r['architecture'] as string[])[0]} (${(r['architecture'] as string[])[1]})`],
    ['Tags', (r['tags'] as string[]).length ? join(r['tags']) : '(none)'],
    ['Default hypervisor', r['default_hypervisor']],
    ['Enabled hypervisors', join(enabled)],
    ['Hypervisor parameters', hvparams],
    ['OS-specific hypervisor parameters', r['os_hvp']],
    ['OS parameters', r['osparams']],
    ['Hidden OSes', join(r['hidden_os'])],
    ['Blacklisted OSes', join(r['blacklisted_os'])],
    [
      'Cluster parameters',
      new InfoMap([
        ['candidate pool size', r['candidate_pool_size']],
        ['maximal number of jobs running simultaneously', r['max_running_jobs']],
        ['maximal number of jobs simultaneously tracked by the scheduler', r['max_tracked_jobs']],
        ['mac prefix', r['mac_prefix']],
        ['master netdev', r['master_netdev']],
        ['master netmask', r['master_netmask']],
        ['use external master IP address setup script', r['use_external_mip_script']],
        ['lvm volume group', r['volume_group_name']],
        ['lvm reserved volumes', (r['reserved_lvs'] as string[]).length ? join(r['reserved_lvs']) : '(none)'],
        ['drbd usermode helper', r['drbd_usermode_helper']],
        ['file storage path', r['file_storage_dir']],
        ['shared file storage path', r['shared_file_storage_dir']],
        ['maintenance of node health', r['maintain_node_health']],
        ['default instance allocator', r['default_iallocator']],
        ['primary ip version', r['primary_ip_version']],
        ['preallocation wipe disks', r['prealloc_wipe_disks']],
        ['OS search path', join(paths.osSearchPath)],
        ['ExtStorage Providers search path', join([...paths.extstorageSearchPath, ...((r['extstorage_search_path'] as string[] | undefined) ?? [])])],
        ['enabled disk templates', join(r['enabled_disk_templates'])],
        ['compression tools', r['compression_tools']],
        ['enabled user shutdown', r['enabled_user_shutdown']],
      ]),
    ],
    ['Default node parameters', r['ndparams']],
    ['Default instance parameters', r['beparams']],
    ['Default nic parameters', r['nicparams']],
    ['Default disk parameters', r['diskparams']],
  ]);
  process.stdout.write(formatGenericInfo(info));
}

/** `gnt-cluster version` (ShowClusterVersion). */
export async function showClusterVersion(): Promise<void> {
  const r = await clusterInfo();
  process.stdout.write(
    [
      `Software version: ${r['software_version']}`,
      `Internode protocol: ${r['protocol_version']}`,
      `Configuration format: ${r['config_version']}`,
      `OS api version: ${r['os_api_version']}`,
      `Export interface: ${r['export_version']}`,
      `VCS version: ${r['vcs_version']}`,
      '',
    ].join('\n'),
  );
}

/** `gnt-cluster getmaster`: from ssconf, as Ganeti does, so it works without the master. */
export async function showMaster(): Promise<void> {
  const name = (await readFile(ganetiPaths().ssconf('master_node'), 'utf8')).trim();
  process.stdout.write(`${name}\n`);
}

/** `gnt-cluster queue drain|undrain|info`. */
export async function queueOps(command: string): Promise<void> {
  const client = luxiClient();
  try {
    if (command === 'drain' || command === 'undrain') await client.setDrainFlag(command === 'drain');
    else {
      const [flag] = (await client.queryConfigValues(['drain_flag'])) as [boolean];
      process.stdout.write(`The drain flag is ${flag ? 'set' : 'unset'}\n`);
    }
  } finally {
    client.close();
  }
}
