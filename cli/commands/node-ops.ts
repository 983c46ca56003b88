import { readFile } from 'node:fs/promises';
import { GanetiError } from '../../core/errors/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { parseKeyValues } from '../common/params.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import { withClient } from './node.js';

/** gnt-node add, remove and modify (Ganeti's AddNode, RemoveNode, SetNodeParams). */

const source = (command: string) => ({ binary: 'gnt-node', command });

/** Ganeti's yes/no option values. */
export function yesNo(option: string, value: string | undefined): boolean | null {
  if (value === undefined) return null;
  if (/^(yes|true)$/i.test(value)) return true;
  if (/^(no|false)$/i.test(value)) return false;
  throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `${option}: '${value}' is not yes or no` });
}

/** The names of the nodes matching `name` (full name, or a unique short name). */
async function existingName(name: string): Promise<string | null> {
  const r = await withClient((c) => c.query('node', ['name'], null));
  const names = r.data.map((row) => row[0]![1] as string);
  if (names.includes(name)) return name;
  const short = names.filter((n) => n.startsWith(`${name}.`));
  return short.length === 1 ? short[0]! : null;
}

export interface AddOptions extends OpcodeOptions {
  secondaryIp?: string;
  primaryIp?: string;
  readd?: boolean;
  nodeGroup?: string;
  masterCapable?: string;
  vmCapable?: string;
  nodeParameters?: string;
  joinToken?: string;
  joinTokenFile?: string;
}

/** `gnt-node add [--readd] [--join-token T] [-s sip] [-g group] ... <node>` */
export async function addNode(node: string, o: AddOptions): Promise<void> {
  const known = await existingName(node);
  if (o.readd && known === null) {
    process.stderr.write(`Node ${node} not in the cluster - please retry without '--readd'\n`);
    throw new CliExit(EXIT.FAILURE);
  }
  if (!o.readd && known !== null) {
    process.stderr.write(`Node ${node} already in the cluster (as ${known}) - please retry with '--readd'\n`);
    throw new CliExit(EXIT.FAILURE);
  }
  if (o.joinToken && o.joinTokenFile) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: 'give --join-token or --join-token-file, not both' });
  const token = o.joinToken ?? (o.joinTokenFile ? (await readFile(o.joinTokenFile, 'utf8')).trim() : null);
  await submitAndWait(
    [
      {
        OP_ID: 'OP_NODE_ADD',
        node_name: o.readd && known ? known : node,
        primary_ip: o.primaryIp ?? null,
        secondary_ip: o.secondaryIp ?? null,
        readd: o.readd ?? false,
        group: o.nodeGroup ?? null,
        master_capable: yesNo('--master-capable', o.masterCapable),
        vm_capable: yesNo('--vm-capable', o.vmCapable),
        ndparams: o.nodeParameters ? parseKeyValues(o.nodeParameters, '--node-parameters') : null,
        join_token: token,
      },
    ],
    o,
    source('add'),
  );
}

/** `gnt-node remove <node>` */
export async function removeNode(node: string, o: OpcodeOptions): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_NODE_REMOVE', node_name: node }], o, source('remove'));
}

export interface ModifyOptions extends OpcodeOptions {
  masterCandidate?: string;
  drained?: string;
  offline?: string;
  masterCapable?: string;
  vmCapable?: string;
  secondaryIp?: string;
  nodeParameters?: string;
  autoPromote?: boolean;
  force?: boolean;
}

/** `gnt-node modify [-C|-D|-O yes|no] [--master-capable|--vm-capable yes|no] [-s ip] [--node-parameters k=v] <node>` */
export async function modifyNode(node: string, o: ModifyOptions): Promise<void> {
  const changes = {
    master_candidate: yesNo('-C/--master-candidate', o.masterCandidate),
    drained: yesNo('-D/--drained', o.drained),
    offline: yesNo('-O/--offline', o.offline),
    master_capable: yesNo('--master-capable', o.masterCapable),
    vm_capable: yesNo('--vm-capable', o.vmCapable),
    secondary_ip: o.secondaryIp ?? null,
    ndparams: o.nodeParameters ? parseKeyValues(o.nodeParameters, '--node-parameters') : null,
  };
  if (Object.values(changes).every((v) => v === null)) {
    process.stderr.write('Please give at least one of the parameters.\n');
    throw new CliExit(EXIT.FAILURE);
  }
  const result = await submitAndWait(
    [{ OP_ID: 'OP_NODE_SET_PARAMS', node_name: node, ...changes, force: o.force ?? false, auto_promote: o.autoPromote ?? false }],
    o,
    source('modify'),
  );
  const pairs = (result?.[0] ?? []) as [string, string][];
  if (pairs.length) {
    process.stdout.write(`Modified node ${node}\n`);
    for (const [param, value] of pairs) process.stdout.write(` - ${param.padEnd(5)} -> ${value}\n`);
  }
}
