import { GanetiError } from '../../core/errors/index.js';
import { parseDiskParams, parseHvParams, parseKeyValues } from '../common/params.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';

export interface ModifyCliOptions extends OpcodeOptions {
  enabledHypervisors?: string;
  enabledDiskTemplates?: string;
  hypervisorParameters?: string[];
  backendParameters?: string;
  nicParameters?: string;
  nodeParameters?: string;
  diskParameters?: string[];
  candidatePoolSize?: string;
  vgName?: string;
  masterNetdev?: string;
  masterNetmask?: string;
  fileStorageDir?: string;
  sharedFileStorageDir?: string;
  extstorageSearchPath?: string;
  maxRunningJobs?: string;
  maxTrackedJobs?: string;
  macPrefix?: string;
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** An integer option; anything else is refused here, as Ganeti's option parser does. */
function int(option: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  if (!/^-?\d+$/.test(v.trim())) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `${option}: '${v}' is not an integer` });
  return Number(v);
}

/** `gnt-cluster modify`: OP_CLUSTER_SET_PARAMS with the options given (none: exit 1, as Ganeti). */
export async function clusterModify(o: ModifyCliOptions): Promise<void> {
  const op = {
    OP_ID: 'OP_CLUSTER_SET_PARAMS',
    enabled_hypervisors: o.enabledHypervisors !== undefined ? list(o.enabledHypervisors) : null,
    enabled_disk_templates: o.enabledDiskTemplates !== undefined ? list(o.enabledDiskTemplates) : null,
    hvparams: o.hypervisorParameters?.length ? parseHvParams(o.hypervisorParameters) : null,
    beparams: o.backendParameters !== undefined ? parseKeyValues(o.backendParameters, '-B') : null,
    nicparams: o.nicParameters !== undefined ? parseKeyValues(o.nicParameters, '-N') : null,
    ndparams: o.nodeParameters !== undefined ? parseKeyValues(o.nodeParameters, '--node-parameters') : null,
    diskparams: o.diskParameters?.length ? parseDiskParams(o.diskParameters) : null,
    candidate_pool_size: int('-C', o.candidatePoolSize),
    max_running_jobs: int('--max-running-jobs', o.maxRunningJobs),
    max_tracked_jobs: int('--max-tracked-jobs', o.maxTrackedJobs),
    master_netmask: int('--master-netmask', o.masterNetmask),
    vg_name: o.vgName ?? null,
    master_netdev: o.masterNetdev ?? null,
    file_storage_dir: o.fileStorageDir ?? null,
    shared_file_storage_dir: o.sharedFileStorageDir ?? null,
    extstorage_search_path: o.extstorageSearchPath !== undefined ? list(o.extstorageSearchPath) : null,
    mac_prefix: o.macPrefix ?? null,
  };
  if (Object.entries(op).every(([k, v]) => k === 'OP_ID' || v === null)) {
    process.stderr.write('Please give at least one of the parameters.\n');
    throw new CliExit(EXIT.FAILURE);
  }
  await submitAndWait([op], o, { binary: 'gnt-cluster', command: 'modify' });
}
