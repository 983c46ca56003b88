import { GanetiError } from '../../errors/index.js';
import type { Params } from '../../contracts/params.js';
import type { Cluster, FrozenConfig } from '../../config/index.js';
import {
  checkCandidatePoolSize,
  checkEnabledDiskTemplates,
  checkEnabledHypervisors,
  checkFileStorageDir,
  checkHvParamsEnabled,
  checkJobLimit,
  checkMacPrefix,
  checkMasterNetdev,
  checkMasterNetmask,
  checkVgName,
  fillHvParams,
  mergeBeparams,
  mergeNdparams,
  mergeNicparams,
} from '../../cluster/params.js';
import { nodesToPromote, setCandidate } from '../../cluster/candidates.js';
import { applyOsSettings, type OsSettings } from '../../cluster/os-params.js';
import { checkTemplateParams } from '../../storage/disk-params.js';
import { promotionDigests } from './node-common.js';
import { LogicalUnit, type HookEnvValue, type HookNodes } from '../logical-unit.js';
import type { OpClusterSetParams } from '../opcodes/definitions.js';

const WHAT = 'OP_CLUSTER_SET_PARAMS';

/**
 * OP_CLUSTER_SET_PARAMS (`gnt-cluster modify`): checks every given value with the rules of
 * `gnt-cluster init` (core/cluster/params.ts) against the current cluster, then writes them
 * in one config change. Hypervisors and disk templates still used by instances cannot be
 * disabled. Hooks: `cluster-modify` on the master.
 */
export class ClusterSetParamsUnit extends LogicalUnit<OpClusterSetParams> {
  override readonly hookPath = 'cluster-modify';
  override readonly hookType = 'CLUSTER' as const;
  #changes: Partial<Cluster> = {};

  override checkPrereq(): void {
    const data = this.#data();
    const c = data.cluster;
    const op = this.op;
    const host = this.ctx.host;
    const ch: Partial<Cluster> = {};

    const hvs = op.enabled_hypervisors ?? c.enabled_hypervisors;
    if (op.enabled_hypervisors !== null) {
      checkEnabledHypervisors(host, WHAT, hvs);
      for (const inst of Object.values(data.instances))
        if (!hvs.includes(inst.hypervisor)) throw new GanetiError('GNT_CLUSTER_PARAM_IN_USE', { what: `hypervisor '${inst.hypervisor}'`, user: `instance ${inst.name}` });
      ch.enabled_hypervisors = [...hvs];
    }
    const templates = op.enabled_disk_templates ?? c.enabled_disk_templates;
    if (op.enabled_disk_templates !== null) {
      checkEnabledDiskTemplates(host, WHAT, templates);
      for (const disk of Object.values(data.disks))
        if (!templates.includes(disk.dev_type)) throw new GanetiError('GNT_CLUSTER_PARAM_IN_USE', { what: `disk template '${disk.dev_type}'`, user: `disk ${disk.uuid}` });
      ch.enabled_disk_templates = [...templates];
    }
    if (op.hvparams !== null) {
      checkHvParamsEnabled(WHAT, op.hvparams as Record<string, Params>, hvs);
      ch.hvparams = fillHvParams(host, c.hvparams as Record<string, Params>, op.hvparams as Record<string, Params>) as Cluster['hvparams'];
    }
    if (op.beparams !== null) ch.beparams = { ...c.beparams, default: mergeBeparams(WHAT, { ...c.beparams['default'] } as Params, op.beparams as Params) } as Cluster['beparams'];
    if (op.nicparams !== null) ch.nicparams = { ...c.nicparams, default: mergeNicparams(WHAT, { ...c.nicparams['default'] } as Params, op.nicparams as Params) } as Cluster['nicparams'];
    if (op.diskparams !== null) {
      const dp = structuredClone(c.diskparams) as Record<string, Params>;
      for (const [t, changes] of Object.entries(op.diskparams)) dp[t] = { ...dp[t], ...checkTemplateParams(host, t, changes as Params) };
      ch.diskparams = dp as Cluster['diskparams'];
    }
    if (op.ndparams !== null) ch.ndparams = mergeNdparams({ ...c.ndparams } as Params, op.ndparams as Params) as Cluster['ndparams'];
    // A newly enabled file template needs the folder too, so check the one that will be in force.
    checkFileStorageDir(WHAT, op.file_storage_dir ?? c.file_storage_dir, templates);
    if (op.file_storage_dir !== null) ch.file_storage_dir = op.file_storage_dir;
    checkFileStorageDir(WHAT, op.shared_file_storage_dir ?? undefined, templates.filter((t) => t === 'sharedfile'));
    if (op.shared_file_storage_dir !== null) ch.shared_file_storage_dir = op.shared_file_storage_dir;
    if (op.extstorage_search_path !== null) ch.extstorage_search_path = [...op.extstorage_search_path];
    checkCandidatePoolSize(WHAT, op.candidate_pool_size ?? undefined);
    if (op.candidate_pool_size !== null) ch.candidate_pool_size = op.candidate_pool_size;
    checkJobLimit(WHAT, 'max running jobs', op.max_running_jobs ?? undefined);
    if (op.max_running_jobs !== null) ch.max_running_jobs = op.max_running_jobs;
    checkJobLimit(WHAT, 'max tracked jobs', op.max_tracked_jobs ?? undefined);
    if (op.max_tracked_jobs !== null) ch.max_tracked_jobs = op.max_tracked_jobs;
    checkMacPrefix(WHAT, op.mac_prefix ?? undefined);
    if (op.mac_prefix !== null) ch.mac_prefix = op.mac_prefix.toLowerCase();
    checkVgName(WHAT, op.vg_name ?? undefined);
    if (op.vg_name !== null) ch.volume_group_name = op.vg_name;
    checkMasterNetdev(WHAT, op.master_netdev ?? undefined);
    if (op.master_netdev !== null) ch.master_netdev = op.master_netdev;
    checkMasterNetmask(WHAT, op.master_netmask ?? undefined, c.primary_ip_family === 10 ? 6 : 4);
    if (op.master_netmask !== null) ch.master_netmask = op.master_netmask;
    Object.assign(ch, applyOsSettings(host, c as unknown as OsSettings, op, (m) => this.ctx.feedback(`WARNING: ${m}`)));
    this.#changes = ch;
  }

  async exec(): Promise<null> {
    const names = Object.keys(this.#changes);
    if (names.length === 0) return null;
    // A larger pool is filled at once (Ganeti's AdjustCandidatePool); a smaller one demotes nobody.
    const data = this.#data();
    const size = this.#changes.candidate_pool_size;
    const promote = size !== undefined && size > data.cluster.candidate_pool_size
      ? nodesToPromote({ ...data, cluster: { ...data.cluster, candidate_pool_size: size } } as FrozenConfig)
      : [];
    const digests = promote.length ? await promotionDigests(this.ctx, await this.ctx.rpc(), promote) : new Map<string, string>();
    await this.ctx.config!.update((txn) => {
      Object.assign(txn.cluster(), structuredClone(this.#changes));
      for (const [uuid, digest] of digests) setCandidate(txn, uuid, digest);
    });
    this.ctx.feedback(`Changed cluster parameters: ${names.sort().join(', ')}`);
    if (digests.size) this.ctx.feedback(`Promoted nodes to master candidate role: ${promote.filter((n) => digests.has(n.uuid)).map((n) => n.name).join(', ')}`);
    return null;
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    const c = this.#data().cluster;
    return { OP_TARGET: c.cluster_name, NEW_VG_NAME: this.op.vg_name ?? c.volume_group_name ?? '' };
  }

  override hooksNodes(): HookNodes {
    const master = this.#data().cluster.master_node;
    return { pre: [master], post: [master] };
  }

  #data(): FrozenConfig {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    return this.ctx.config.data;
  }
}
