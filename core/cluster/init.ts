import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { GanetiError } from '../errors/index.js';
import type { Params, ParamsSchema } from '../contracts/params.js';
import type { PluginHost } from '../plugin-host/host.js';
import { paramsValidator } from '../plugin-host/params.js';
import type { GanetiPaths } from '../paths.js';
import { ConfigStore, computeSsconf, writeSsconfFiles, type NewConfig } from '../config/index.js';
import { certificateDigest, generateClusterCrypto } from '../crypto/index.js';
import {
  DEFAULT_BEPARAMS,
  DEFAULT_CANDIDATE_POOL_SIZE,
  DEFAULT_DISKPARAMS,
  DEFAULT_MAC_PREFIX,
  DEFAULT_MAX_RUNNING_JOBS,
  DEFAULT_MAX_TRACKED_JOBS,
  DEFAULT_NDPARAMS,
  DEFAULT_NICPARAMS,
  defaultDataCollectors,
  defaultIpolicy,
} from './defaults.js';

/** What `gnt-cluster init` was asked for (Ganeti's option names in comments). */
export interface InitOptions {
  readonly clusterName: string;
  /** The master node: this machine's name and primary address. */
  readonly masterName: string;
  readonly masterIp: string;
  readonly secondaryIp?: string; // -s
  readonly enabledHypervisors: readonly string[]; // --enabled-hypervisors
  readonly enabledDiskTemplates: readonly string[]; // --enabled-disk-templates
  readonly hvparams?: Readonly<Record<string, Params>>; // -H hv:k=v
  readonly beparams?: Params; // -B
  readonly nicparams?: Params; // -N
  readonly ndparams?: Params; // --node-parameters
  readonly fileStorageDir?: string; // --file-storage-dir
  readonly sharedFileStorageDir?: string;
  readonly volumeGroupName?: string; // --vg-name
  readonly masterNetdev?: string; // --master-netdev
  readonly masterNetmask?: number; // --master-netmask
  readonly candidatePoolSize?: number; // -C
  readonly macPrefix?: string; // --mac-prefix
  readonly primaryIpVersion?: 4 | 6; // --primary-ip-version
  readonly maxRunningJobs?: number;
}

const BE_SCHEMA: ParamsSchema = {
  type: 'object',
  properties: {
    minmem: { type: 'integer', minimum: 1 },
    maxmem: { type: 'integer', minimum: 1 },
    vcpus: { type: 'integer', minimum: 1 },
    auto_balance: { type: 'boolean' },
    always_failover: { type: 'boolean' },
    spindle_use: { type: 'integer', minimum: 0 },
  },
};
const NIC_SCHEMA: ParamsSchema = { type: 'object', properties: { mode: { type: 'string' }, link: { type: 'string' }, vlan: { type: 'string' } } };
const ND_SCHEMA: ParamsSchema = {
  type: 'object',
  properties: {
    oob_program: { type: 'string' },
    spindle_count: { type: 'integer', minimum: 1 },
    exclusive_storage: { type: 'boolean' },
    ovs: { type: 'boolean' },
    ovs_name: { type: 'string' },
    ovs_link: { type: 'string' },
    ssh_port: { type: 'integer', minimum: 1, maximum: 65535 },
    cpu_speed: { type: 'number', exclusiveMinimum: 0 },
  },
};

const NAME_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const invalid = (field: string, problem: string) => new GanetiError('GNT_OPCODE_INVALID', { opcode: 'cluster init', field, problem });

/** Defaults a provider declares in its schema (`default` keywords). */
const schemaDefaults = (schema: ParamsSchema): Params =>
  Object.fromEntries(Object.entries(schema.properties).filter(([, s]) => 'default' in s).map(([k, s]) => [k, (s as { default: unknown }).default]));

/**
 * The first config.data of a cluster: one node group `default`, the master node, and the
 * cluster object with Ganeti's defaults, hypervisor parameters filled from the providers'
 * schemas. Every option is checked first; nothing is written here.
 */
export function initialConfig(host: PluginHost, o: InitOptions, now = Date.now() / 1000): NewConfig {
  if (!NAME_RE.test(o.clusterName)) throw invalid('cluster name', `'${o.clusterName}' is not a valid host name`);
  if (!NAME_RE.test(o.masterName)) throw invalid('node name', `'${o.masterName}' is not a valid host name`);
  if (o.enabledHypervisors.length === 0) throw invalid('enabled hypervisors', 'must name at least one hypervisor');
  for (const hv of o.enabledHypervisors) host.hypervisors.entry(hv); // GNT_PROVIDER_UNKNOWN with the known ones
  if (o.enabledDiskTemplates.length === 0) throw invalid('enabled disk templates', 'must name at least one disk template');
  for (const t of o.enabledDiskTemplates) host.storage.entry(t);
  for (const hv of Object.keys(o.hvparams ?? {})) {
    if (!o.enabledHypervisors.includes(hv)) throw invalid('hypervisor parameters', `hypervisor '${hv}' is not enabled`);
  }
  if (o.enabledDiskTemplates.some((t) => t === 'file' || t === 'sharedfile') && o.fileStorageDir === '') throw invalid('file storage dir', 'must not be empty');
  if (o.candidatePoolSize !== undefined && (!Number.isInteger(o.candidatePoolSize) || o.candidatePoolSize < 1))
    throw invalid('candidate pool size', 'must be a positive integer');
  if (o.macPrefix !== undefined && !/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/i.test(o.macPrefix)) throw invalid('mac prefix', `'${o.macPrefix}' is not three hex octets (aa:00:00)`);

  const hvparams = Object.fromEntries(
    [...host.hypervisors.names()].map((hv) => {
      const filled = { ...schemaDefaults(host.hypervisors.get(hv).params), ...(o.hvparams?.[hv] ?? {}) };
      return [hv, host.hypervisors.validateParams(hv, filled, { partial: true })];
    }),
  );
  const beparams = { ...DEFAULT_BEPARAMS, ...paramsValidator('backend parameters', BE_SCHEMA)(o.beparams ?? {}) };
  if ((beparams.minmem as number) > (beparams.maxmem as number)) throw invalid('backend parameters', 'minmem must not be larger than maxmem');
  const nicparams = { ...DEFAULT_NICPARAMS, ...paramsValidator('NIC parameters', NIC_SCHEMA)(o.nicparams ?? {}) };
  const ndparams = { ...DEFAULT_NDPARAMS, ...paramsValidator('node parameters', ND_SCHEMA)(o.ndparams ?? {}) };

  const clusterUuid = randomUUID();
  const groupUuid = randomUUID();
  const nodeUuid = randomUUID();
  const base = (uuid: string) => ({ uuid, serial_no: 1, ctime: now, mtime: now });
  return {
    cluster: {
      ...base(clusterUuid),
      tags: [],
      cluster_name: o.clusterName,
      master_node: nodeUuid,
      master_ip: o.masterIp,
      master_netdev: o.masterNetdev ?? 'lo',
      master_netmask: o.masterNetmask ?? (o.primaryIpVersion === 6 ? 128 : 32),
      primary_ip_family: o.primaryIpVersion === 6 ? 10 : 2,
      use_external_mip_script: false,
      mac_prefix: o.macPrefix ?? DEFAULT_MAC_PREFIX,
      ...(o.volumeGroupName ? { volume_group_name: o.volumeGroupName } : {}),
      reserved_lvs: [],
      file_storage_dir: o.fileStorageDir ?? host.paths.fileStorageDir,
      shared_file_storage_dir: o.sharedFileStorageDir ?? host.paths.sharedFileStorageDir,
      gluster_storage_dir: host.paths.glusterStorageDir,
      enabled_hypervisors: [...o.enabledHypervisors],
      hvparams,
      os_hvp: {},
      beparams: { default: beparams },
      osparams: {},
      osparams_private_cluster: {},
      nicparams: { default: nicparams },
      ndparams,
      diskparams: structuredClone(DEFAULT_DISKPARAMS) as Record<string, Params>,
      ipolicy: defaultIpolicy(),
      candidate_pool_size: o.candidatePoolSize ?? DEFAULT_CANDIDATE_POOL_SIZE,
      modify_etc_hosts: false,
      modify_ssh_setup: false,
      maintain_node_health: false,
      uid_pool: [],
      default_iallocator: '',
      default_iallocator_params: {},
      hidden_os: [],
      blacklisted_os: [],
      prealloc_wipe_disks: false,
      hv_state_static: {},
      disk_state_static: {},
      enabled_disk_templates: [...o.enabledDiskTemplates],
      candidate_certs: {},
      max_running_jobs: o.maxRunningJobs ?? DEFAULT_MAX_RUNNING_JOBS,
      max_tracked_jobs: DEFAULT_MAX_TRACKED_JOBS,
      install_image: '',
      instance_communication_network: '',
      zeroing_image: '',
      compression_tools: ['gzip', 'gzip-fast', 'gzip-slow'],
      enabled_user_shutdown: false,
      data_collectors: defaultDataCollectors(host.collectors.names()),
      ssh_key_type: 'rsa',
      ssh_key_bits: 2048,
      highest_used_port: 0,
      tcpudp_port_pool: [],
      rsahostkeypub: '',
    },
    nodegroups: {
      [groupUuid]: { ...base(groupUuid), tags: [], name: 'default', ndparams: {}, diskparams: {}, ipolicy: {} as never, alloc_policy: 'preferred', networks: {} },
    },
    nodes: {
      [nodeUuid]: {
        ...base(nodeUuid),
        tags: [],
        name: o.masterName,
        primary_ip: o.masterIp,
        secondary_ip: o.secondaryIp ?? o.masterIp,
        master_candidate: true,
        offline: false,
        drained: false,
        group: groupUuid,
        master_capable: true,
        vm_capable: true,
        ndparams: {},
        powered: true,
      },
    },
    instances: {},
    disks: {},
    networks: {},
    filters: {},
  } as unknown as NewConfig;
}

/**
 * Creates the cluster on this node: the certificates and keys (openssl), config.data
 * (refused if one exists) and the ssconf files. Starting the daemons is the caller's job.
 */
export async function initCluster(paths: GanetiPaths, host: PluginHost, o: InitOptions): Promise<{ clusterUuid: string; masterUuid: string }> {
  if (existsSync(paths.configData)) throw new GanetiError('GNT_CONFIG_EXISTS', { what: `the cluster configuration ${paths.configData}` });
  // Key material first: the master's client certificate digest makes it the first candidate.
  // The cluster and node certificates only ever meet ganeti-ts daemons: EC P-256, made in
  // milliseconds, where an RSA 2048 key takes 0.1-0.7 s here. rapi.pem is what outside
  // clients see, so it stays RSA 2048 as Ganeti's (made while the rest goes on).
  await generateClusterCrypto(paths, {
    nodeName: o.masterName,
    newClusterCert: true,
    newClientCert: true,
    newRapiCert: true,
    newHmacKey: true,
    newClusterDomainSecret: true,
    keyType: 'ec',
    rapiKeyType: 'rsa',
  });
  const data = initialConfig(host, o);
  data.cluster.candidate_certs = { [data.cluster.master_node]: await certificateDigest(paths.clientPem) };
  const store = await ConfigStore.initialize(paths, data);
  try {
    await writeSsconfFiles(paths, computeSsconf(store.data));
    return { clusterUuid: store.data.cluster.uuid, masterUuid: store.data.cluster.master_node };
  } finally {
    await store.close();
  }
}
