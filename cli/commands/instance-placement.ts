import { GanetiError } from '../../core/errors/index.js';
import { luxiClient, pollJob, submitAndWait, stdioReporter, type OpcodeOptions } from '../common/luxi.js';
import { askUser } from '../common/confirm.js';
import { CliExit, formatFailure } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';

/** gnt-instance migrate and failover; gnt-node migrate, failover and evacuate. */

const confirm = async (force: boolean | undefined, text: string) => {
  if (!force && !(await askUser(text))) throw new CliExit(EXIT.CONFIRMATION);
};

export interface MigrateOptions extends OpcodeOptions {
  force?: boolean;
  nonLive?: boolean;
  migrationMode?: string;
  cleanup?: boolean;
  allowFailover?: boolean;
  targetNode?: string;
  iallocator?: string;
}

function migrationMode(o: MigrateOptions): string | null {
  if (o.nonLive && o.migrationMode) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: '--non-live and --migration-mode cannot be used together' });
  return o.nonLive ? 'non-live' : (o.migrationMode ?? null);
}

export async function migrateInstance(name: string, o: MigrateOptions): Promise<void> {
  await confirm(o.force, o.cleanup
    ? `Instance ${name} will be recovered from a failed migration. Note that the migration procedure (including cleanup) might impact the instance if anything goes wrong (e.g. due to bugs in the hypervisor). Continue?`
    : `Instance ${name} will be migrated. Note that migration might impact the instance if anything goes wrong (e.g. due to bugs in the hypervisor). Continue?`);
  await submitAndWait([{
    OP_ID: 'OP_INSTANCE_MIGRATE', instance_name: name, mode: migrationMode(o), cleanup: Boolean(o.cleanup), allow_failover: Boolean(o.allowFailover),
    target_node: o.targetNode ?? null, iallocator: o.iallocator ?? null,
  }], o, { binary: 'gnt-instance', command: 'migrate' });
}

export interface FailoverOptions extends OpcodeOptions {
  force?: boolean;
  ignoreConsistency?: boolean;
  shutdownTimeout: string;
  targetNode?: string;
  iallocator?: string;
}

export async function failoverInstance(name: string, o: FailoverOptions): Promise<void> {
  await confirm(o.force, `Failover will happen to image ${name}. This requires a shutdown of the instance. Continue?`);
  await submitAndWait([{
    OP_ID: 'OP_INSTANCE_FAILOVER', instance_name: name, ignore_consistency: Boolean(o.ignoreConsistency), shutdown_timeout: Number(o.shutdownTimeout),
    target_node: o.targetNode ?? null, iallocator: o.iallocator ?? null,
  }], o, { binary: 'gnt-instance', command: 'failover' });
}

/** Instances whose primary (or secondary) is `node`, from the instance query. */
async function instancesOf(node: string, field: 'pnode' | 'snodes'): Promise<string[]> {
  const client = luxiClient();
  try {
    const r = await client.query('instance', ['name', field], null);
    return r.data.filter((row) => (field === 'pnode' ? row[1]![1] === node : (row[1]![1] as string[]).includes(node))).map((row) => String(row[0]![1]));
  } finally {
    client.close();
  }
}

/** Follows the jobs a node opcode submitted (its `jobs` result), printing their logs; exit 1 if one failed. */
async function followJobs(result: unknown): Promise<void> {
  const jobs = ((result as { jobs?: [boolean, number | string][] } | undefined)?.jobs ?? []);
  if (jobs.length === 0) {
    process.stdout.write('No instances to move\n');
    return;
  }
  const ids = jobs.filter((j) => j[0]).map((j) => j[1] as number);
  process.stdout.write(`Submitted jobs ${ids.join(', ')}\n`);
  let failed = jobs.filter((j) => !j[0]).length;
  const client = luxiClient();
  try {
    for (const id of ids) {
      process.stdout.write(`Waiting for job ${id} ...\n`);
      try {
        await pollJob(client, id, stdioReporter());
      } catch (e) {
        failed++;
        process.stderr.write(`Job ${id} failed: ${formatFailure(e)}\n`);
      }
    }
  } finally {
    client.close();
  }
  if (failed) {
    process.stderr.write(`${failed} job(s) failed\n`);
    throw new CliExit(EXIT.FAILURE);
  }
  process.stdout.write('All instances moved successfully.\n');
}

export async function migrateNode(node: string, o: MigrateOptions): Promise<void> {
  const names = await instancesOf(node, 'pnode');
  if (names.length === 0) {
    process.stdout.write(`No primary instances on node ${node}, exiting.\n`);
    return;
  }
  await confirm(o.force, `Migrate instance(s) ${names.join(', ')}?`);
  const res = await submitAndWait([{ OP_ID: 'OP_NODE_MIGRATE', node_name: node, mode: migrationMode(o), target_node: o.targetNode ?? null, iallocator: o.iallocator ?? null }], o, { binary: 'gnt-node', command: 'migrate' });
  if (res) await followJobs(res[0]);
}

/** Ganeti's gnt-node failover: one OP_INSTANCE_FAILOVER job per primary instance, submitted by the client. */
export async function failoverNode(node: string, o: FailoverOptions): Promise<void> {
  const names = await instancesOf(node, 'pnode');
  if (names.length === 0) {
    process.stdout.write(`No primary instances on node ${node}, exiting.\n`);
    return;
  }
  await confirm(o.force, `Fail over instance(s) ${names.join(', ')}?`);
  const client = luxiClient();
  let submitted: ([true, number] | [false, string])[];
  try {
    submitted = await client.submitManyJobs(names.map((instance_name) => [{
      OP_ID: 'OP_INSTANCE_FAILOVER', instance_name, ignore_consistency: Boolean(o.ignoreConsistency), target_node: o.targetNode ?? null, iallocator: o.iallocator ?? null,
      shutdown_timeout: Number(o.shutdownTimeout ?? 120),
    }]));
  } finally {
    client.close();
  }
  await followJobs({ jobs: submitted });
}

export interface EvacuateOptions extends OpcodeOptions {
  force?: boolean;
  newSecondary?: string;
  iallocator?: string;
  primaryOnly?: boolean;
  secondaryOnly?: boolean;
  earlyRelease?: boolean;
}

export async function evacuateNode(node: string, o: EvacuateOptions): Promise<void> {
  if (o.primaryOnly && o.secondaryOnly) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: '-p/--primary-only and -s/--secondary-only cannot be used together' });
  const mode = o.primaryOnly ? 'primary-only' : o.secondaryOnly ? 'secondary-only' : 'all';
  const names = [...(mode !== 'secondary-only' ? await instancesOf(node, 'pnode') : []), ...(mode !== 'primary-only' ? await instancesOf(node, 'snodes') : [])];
  if (names.length === 0) {
    process.stdout.write(`No instances to evacuate on node(s) ${node}, exiting.\n`);
    return;
  }
  await confirm(o.force, `Relocate instance(s) ${[...new Set(names)].join(', ')} from node(s) ${node}?`);
  const res = await submitAndWait([{ OP_ID: 'OP_NODE_EVACUATE', node_name: node, remote_node: o.newSecondary ?? null, iallocator: o.iallocator ?? null, mode, early_release: Boolean(o.earlyRelease) }], o, { binary: 'gnt-node', command: 'evacuate' });
  if (res) await followJobs(res[0]);
}

export interface MoveOptions extends OpcodeOptions {
  force?: boolean;
  targetNode: string;
  shutdownTimeout: string;
  ignoreConsistency?: boolean;
  ignoreIpolicy?: boolean;
}

/** `gnt-instance move -n NODE`: stop, copy the disks, start on the target. */
export async function moveInstance(name: string, o: MoveOptions): Promise<void> {
  await confirm(o.force, `Instance ${name} will be moved. This requires a shutdown of the instance. Continue?`);
  await submitAndWait([{
    OP_ID: 'OP_INSTANCE_MOVE', instance_name: name, target_node: o.targetNode, shutdown_timeout: Number(o.shutdownTimeout),
    ignore_consistency: Boolean(o.ignoreConsistency), ignore_ipolicy: Boolean(o.ignoreIpolicy),
  }], o, { binary: 'gnt-instance', command: 'move' });
}
