import { GanetiError } from '../../core/errors/index.js';
import type { Params } from '../../core/contracts/params.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { parseDiskParams, parseKeyValues } from '../common/params.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';

/** The opcode-submitting actions of gnt-group (Ganeti's gnt_group.py); gnt-group.ts declares the options. */

export interface GroupParamOptions extends OpcodeOptions {
  allocPolicy?: string;
  /** `--node-parameters k=v,...` */
  nodeParameters?: string;
  /** `-D template:k=v,...` (repeatable) */
  diskParameters?: string[];
}

const source = (command: string) => ({ binary: 'gnt-group', command });

const paramFields = (o: GroupParamOptions) => ({
  alloc_policy: o.allocPolicy ?? null,
  ndparams: o.nodeParameters === undefined ? null : parseKeyValues(o.nodeParameters, '--node-parameters'),
  diskparams: o.diskParameters?.length ? parseDiskParams(o.diskParameters) : null,
});

/** `gnt-group add [options] GROUP` */
export async function addGroup(name: string, o: GroupParamOptions): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_GROUP_ADD', group_name: name, ...paramFields(o) }], o, source('add'));
}

/** `gnt-group modify [options] GROUP`: prints Ganeti's `Modified node group X` and ` - param -> value` lines. */
export async function modifyGroup(name: string, o: GroupParamOptions): Promise<void> {
  const fields = paramFields(o);
  if (fields.alloc_policy === null && fields.ndparams === null && fields.diskparams === null) {
    process.stderr.write('Please give at least one of the parameters.\n');
    throw new CliExit(EXIT.FAILURE);
  }
  const results = await submitAndWait([{ OP_ID: 'OP_GROUP_SET_PARAMS', group_name: name, ...fields }], o, source('modify'));
  const changes = results?.[0];
  if (Array.isArray(changes) && changes.length) {
    process.stdout.write(`Modified node group ${name}\n`);
    for (const [param, value] of changes as [string, string][]) process.stdout.write(` - ${param.padEnd(5)} -> ${value}\n`);
  }
}

/** `gnt-group remove GROUP` */
export async function removeGroup(name: string, o: OpcodeOptions): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_GROUP_REMOVE', group_name: name }], o, source('remove'));
}

/** `gnt-group rename OLD NEW` */
export async function renameGroup(name: string, newName: string, o: OpcodeOptions): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_GROUP_RENAME', group_name: name, new_name: newName }], o, source('rename'));
}

/** `gnt-group assign-nodes [-f] GROUP NODE...` */
export async function assignNodes(name: string, nodes: string[], o: OpcodeOptions & { force?: boolean }): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_GROUP_ASSIGN_NODES', group_name: name, nodes, force: o.force ?? false }], o, source('assign-nodes'));
}
