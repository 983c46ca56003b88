import { GanetiError } from '../errors/index.js';
import type { ConfigStore } from '../config/index.js';
import type { LockManager } from '../locks/index.js';
import type { JobQueue } from '../jobs/queue.js';
import type { JobData } from '../jobs/types.js';
import type { LuxiHandlers } from '../luxi/methods.js';
import { JOB_QUERY_FIELDS, jobChange, jobFieldValues, queryJobs, requestedJobIds, type JobRow } from '../query/job-fields.js';
import { NODE_QUERY_FIELDS, noLiveData, queryNodesLive } from '../query/node-fields.js';
import { fetchNodeLive, type NodeLiveSource } from '../query/node-live.js';
import { GROUP_QUERY_FIELDS, queryGroups } from '../query/group-fields.js';
import { DISK_QUERY_FIELDS, queryDisks } from '../query/disk-fields.js';
import { EXPORT_QUERY_FIELDS, queryExports } from '../query/export-fields.js';
import { PluginHost } from '../plugin-host/host.js';
import { INSTANCE_QUERY_FIELDS, queryInstances } from '../query/instance-fields.js';
import type { FieldTable } from '../query/fields.js';
import { NETWORK_QUERY_FIELDS, queryNetworks } from '../query/network-fields.js';

export interface MasterdParts {
  readonly queue: JobQueue;
  readonly locks: LockManager;
  readonly config: ConfigStore | null;
  readonly clusterInfo: () => Record<string, unknown>;
  /** How live node fields reach the node daemons (without it they show "no data"). */
  readonly nodeLive?: NodeLiveSource;
  /** The plugins (hypervisor parameter defaults of instance fields). */
  readonly host?: PluginHost;
}

const ids = (v: unknown) => v as number;

/**
 * The master's LUXI methods (interfaces §6), arguments already checked by the server's
 * schemas. Job methods go to the queue; queries read the queue or the config.
 */
export function luxiHandlers(m: MasterdParts): LuxiHandlers {
  /**
   * The jobs a query looks at: those asked for, in the order asked (archived ones included,
   * unknown ones with `job: null`); or, when none are named, every live job and, when the
   * `archived` field is wanted, every archived one too (as Ganeti's queryJobs does), by id.
   */
  const rows = async (wanted: readonly number[] | null, fields: readonly string[]): Promise<JobRow[]> => {
    if (wanted === null) {
      const live: JobRow[] = m.queue.jobs().map((j) => ({ id: j.id, job: j.data }));
      if (fields.includes('archived')) {
        const seen = new Set(live.map((r) => r.id));
        const archivedIds = (await m.queue.archivedIds()).filter((id) => !seen.has(id));
        for (let i = 0; i < archivedIds.length; i += 64) {
          // a bounded number of files open at once: the archive may hold many thousands
          const chunk = await Promise.all(archivedIds.slice(i, i + 64).map(async (id) => ({ id, job: await m.queue.jobData(id), archived: true })));
          live.push(...chunk.filter((r) => r.job !== null));
        }
      }
      return live.sort((a, b) => a.id - b.id);
    }
    return Promise.all(
      wanted.map(async (id) => {
        const live = m.queue.job(id);
        if (live) return { id, job: live.data };
        const archived = await m.queue.jobData(id);
        return { id, job: archived, archived: archived !== null };
      }),
    );
  };
  /** The resources Query and QueryFields answer, with their field tables. */
  const tables: Readonly<Record<string, FieldTable<never>>> = { job: JOB_QUERY_FIELDS, node: NODE_QUERY_FIELDS, group: GROUP_QUERY_FIELDS, disk: DISK_QUERY_FIELDS, instance: INSTANCE_QUERY_FIELDS, export: EXPORT_QUERY_FIELDS, network: NETWORK_QUERY_FIELDS };
  const queryResource = (what: unknown): string => {
    if (typeof what !== 'string' || !Object.hasOwn(tables, what)) throw new GanetiError('GNT_QUERY_RESOURCE', { resource: String(what), known: Object.keys(tables).join(', ') });
    return what;
  };
  /** The config snapshot node and group queries read (live node data is asked for by RPC). */
  const configData = () => {
    if (!m.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    return m.config.data;
  };

  return {
    SubmitJob: ([ops]) => m.queue.submit(ops),
    SubmitJobToDrainedQueue: ([ops]) => m.queue.submit(ops, { ignoreDrain: true }),
    SubmitManyJobs: async ([jobs]) => (await m.queue.submitMany(jobs as unknown[])).map((r) => [r[0], r[1]]),
    WaitForJobChange: ([id, fields, prevInfo, prevSerial, timeout]) =>
      m.queue.waitForChange(
        ids(id),
        (job: JobData) => jobChange(job, fields as string[], prevInfo as unknown[] | null, prevSerial as number | null),
        timeout as number,
      ),
    // one answer per job asked for, in the order asked (callers match them by position)
    QueryJobs: async ([wanted, fields]) =>
      (await rows(wanted as number[] | null, fields as string[])).map((r) => (r.job ? jobFieldValues(r.job, fields as string[], r.archived) : null)),
    CancelJob: ([id, kill]) => m.queue.cancel(ids(id), Boolean(kill)),
    ArchiveJob: ([id]) => m.queue.archive(ids(id)),
    AutoArchiveJobs: ([age, timeout]) => m.queue.autoArchive(age as number, timeout as number),
    ChangeJobPriority: ([id, priority]) => m.queue.changePriority(ids(id), priority as number),
    Query: async ([what, fields, qfilter]) => {
      switch (queryResource(what)) {
        case 'node': {
          const data = configData();
          const live = m.nodeLive;
          return queryNodesLive(data, fields as string[], qfilter, async (nodes) =>
            live ? fetchNodeLive(live, data, nodes) : noLiveData,
          );
        }
        case 'group':
          return queryGroups(configData(), fields as string[], qfilter);
        case 'disk':
          return queryDisks(configData(), fields as string[], qfilter);
        case 'export': {
          const live = m.nodeLive;
          return queryExports(configData(), fields as string[], qfilter, async () => (live ? live.rpc().catch(() => null) : null));
        }
        case 'network':
          return queryNetworks(configData(), fields as string[], qfilter);
        case 'instance': {
          const live = m.nodeLive;
          const host = m.host ?? live?.host ?? new PluginHost();
          return queryInstances(configData(), host, fields as string[], qfilter, async () => (live ? live.rpc().catch(() => null) : null));
        }
        default:
          return queryJobs(fields as string[], qfilter, await rows(requestedJobIds(qfilter), fields as string[]));
      }
    },
    QueryFields: ([what, fields]) => ({ fields: tables[queryResource(what)]!.definitions((fields as string[] | null) ?? null) }),
    QueryClusterInfo: () => m.clusterInfo(),
    QueryConfigValues: async ([fields]) => {
      const info = m.config ? m.clusterInfo() : {};
      const drained = await m.queue.isDrained();
      const values: Record<string, unknown> = {
        cluster_name: info['name'] ?? null,
        master_node: info['master'] ?? null,
        drain_flag: drained,
        watcher_pause: null,
        modify_ssh_setup: false,
        ssh_key_type: 'rsa',
        ssh_key_bits: 2048,
      };
      return (fields as string[]).map((f) => {
        if (!(f in values)) throw new GanetiError('GNT_QUERY_UNKNOWN_FIELD', { resource: 'config values', fields: f });
        return values[f];
      });
    },
    QueryTags: ([kind]) => {
      if (kind !== 'cluster') throw new GanetiError('GNT_QUERY_RESOURCE', { resource: `tags of ${String(kind)}`, known: 'cluster' });
      return m.config ? m.clusterInfo()['tags'] : [];
    },
    SetDrainFlag: async ([flag]) => {
      await m.queue.setDrained(Boolean(flag));
      return true;
    },
  };
}
