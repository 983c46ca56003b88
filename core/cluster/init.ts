import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { GanetiError } from '../errors/index.js';
import type { Params } from '../contracts/params.js';
import type { PluginHost } from '../plugin-host/host.js';
import type { GanetiPaths } from '../paths.js';
import { checkTemplateParams } from '../storage/disk-params.js';
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
import {
  checkCandidatePoolSize,
  checkEnabledDiskTemplates,
  checkEnabledHypervisors,
  checkFileStorageDir,
  checkHostName,
  checkHvParamsEnabled,
  checkJobLimit,
  checkMacPrefix,
  checkMasterNetdev,
  checkMasterNetmask,
  checkNodeAddresses,
  checkVgName,
  fillHvParams,
  mergeBeparams,
  mergeNdparams,
  mergeNicparams,
} from './params.js';

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
  readonly diskparams?: Readonly<Record<string, Params>>; // -D template:k=v
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

/**
 * The first config.data of a cluster: one node group `default`, the master node, and the
 * cluster object with Ganeti's defaults, hypervisor parameters filled from the providers'
 * schemas. Every option is checked first; nothing is written here.
 */
export function initialConfig(host: PluginHost, o: InitOptions, now = Date.now() / 1000): NewConfig {
  const what = 'cluster init';
  const ipVersion = o.primaryIpVersion ?? 4;
  checkHostName(what, 'cluster name', o.clusterName);
  checkHostName(what, 'node name', o.masterName);
  checkNodeAddresses(what, o.masterIp, o.secondaryIp, ipVersion);
  checkEnabledHypervisors(host, what, o.enabledHypervisors);
  checkEnabledDiskTemplates(host, what, o.enabledDiskTemplates);
  checkHvParamsEnabled(what, o.hvparams ?? {}, o.enabledHypervisors);
  checkFileStorageDir(what, o.fileStorageDir, o.enabledDiskTemplates);
  checkCandidatePoolSize(what, o.candidatePoolSize);
  checkJobLimit(what, 'max running jobs', o.maxRunningJobs);
  checkMacPrefix(what, o.macPrefix);
  checkVgName(what, o.volumeGroupName);
  checkMasterNetdev(what, o.masterNetdev);
  checkMasterNetmask(what, o.masterNetmask, ipVersion);

  const hvparams = fillHvParams(host, {}, o.hvparams);
  const beparams = mergeBeparams(what, DEFAULT_BEPARAMS, o.beparams);
  const nicparams = mergeNicparams(what, DEFAULT_NICPARAMS, o.nicparams);
  const ndparams = mergeNdparams(DEFAULT_NDPARAMS, o.ndparams);
  const diskparams = structuredClone(DEFAULT_DISKPARAMS) as Record<string, Params>;
  for (const [t, p] of Object.entries(o.diskparams ?? {})) diskparams[t] = { ...diskparams[t], ...checkTemplateParams(host, t, p) };

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
      diskparams,
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
  // Every option is checked before anything is written; then the key material, whose client
  // certificate digest makes the master the first candidate.
  // The cluster and node certificates only ever meet ganeti-ts daemons: EC P-256, made in
  // milliseconds, where an RSA 2048 key takes 0.1-0.7 s here. rapi.pem is what outside
  // clients see, so it stays RSA 2048 as Ganeti's (made while the rest goes on).
  const data = initialConfig(host, o);
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
  data.cluster.candidate_certs = { [data.cluster.master_node]: await certificateDigest(paths.clientPem) };
  // The storage folders of the enabled file templates, as Ganeti's init creates them (0750).
  const folders = [
    data.cluster.enabled_disk_templates.includes('file') ? data.cluster.file_storage_dir : '',
    data.cluster.enabled_disk_templates.includes('sharedfile') ? data.cluster.shared_file_storage_dir : '',
  ].filter((d): d is string => typeof d === 'string' && d !== '');
  for (const d of folders) await mkdir(d, { recursive: true, mode: 0o750 });
  const store = await ConfigStore.initialize(paths, data);
  try {
    await writeSsconfFiles(paths, computeSsconf(store.data));
    return { clusterUuid: store.data.cluster.uuid, masterUuid: store.data.cluster.master_node };
  } finally {
    await store.close();
  }
}
