import type { AllocPolicy, IPolicy, ParamDict } from '../../config/index.js';
import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * The node group opcodes (Ganeti's OpGroupAdd, OpGroupRemove, OpGroupRename,
 * OpGroupSetParams, OpGroupAssignNodes) with Ganeti's field names and defaults.
 * `group_name` may also be a group's UUID, as in Ganeti.
 */

export const ALLOC_POLICIES: readonly AllocPolicy[] = Object.freeze(['preferred', 'last_resort', 'unallocable']);

/** Fields OP_GROUP_ADD and OP_GROUP_SET_PARAMS share; null means "not given". */
interface GroupParamFields {
  readonly alloc_policy: AllocPolicy | null;
  readonly ndparams: ParamDict | null;
  /** disk template → parameters */
  readonly diskparams: Record<string, ParamDict> | null;
  readonly ipolicy: IPolicy | null;
  readonly hv_state: Record<string, ParamDict> | null;
  readonly disk_state: Record<string, Record<string, ParamDict>> | null;
}

export interface OpGroupAdd extends OpCommon, GroupParamFields {
  readonly OP_ID: 'OP_GROUP_ADD';
  readonly group_name: string;
}

export interface OpGroupSetParams extends OpCommon, GroupParamFields {
  readonly OP_ID: 'OP_GROUP_SET_PARAMS';
  readonly group_name: string;
}

export interface OpGroupRemove extends OpCommon {
  readonly OP_ID: 'OP_GROUP_REMOVE';
  readonly group_name: string;
}

export interface OpGroupRename extends OpCommon {
  readonly OP_ID: 'OP_GROUP_RENAME';
  readonly group_name: string;
  readonly new_name: string;
}

export interface OpGroupAssignNodes extends OpCommon {
  readonly OP_ID: 'OP_GROUP_ASSIGN_NODES';
  readonly group_name: string;
  /** Assign even if instances end up with nodes in several groups. */
  readonly force: boolean;
  readonly nodes: readonly string[];
  readonly node_uuids: readonly string[] | null;
}

export type GroupOpCode = OpGroupAdd | OpGroupSetParams | OpGroupRemove | OpGroupRename | OpGroupAssignNodes;

const name = { type: 'string', minLength: 1 };
const maybeDict = { type: ['object', 'null'], default: null };
const maybeDictOfDicts = { type: ['object', 'null'], additionalProperties: { type: 'object' }, default: null };
const paramFields = {
  group_name: name,
  // null in the enum: "not given" (Ganeti's TMaybe); the error then lists the policies
  alloc_policy: { enum: [null, ...ALLOC_POLICIES], default: null },
  ndparams: maybeDict,
  diskparams: maybeDictOfDicts,
  ipolicy: maybeDict,
  hv_state: maybeDictOfDicts,
  disk_state: maybeDictOfDicts,
};

export const GROUP_OPCODE_SCHEMAS: { readonly [K in GroupOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_GROUP_ADD: { properties: paramFields, required: ['group_name'] },
  OP_GROUP_SET_PARAMS: { properties: paramFields, required: ['group_name'] },
  OP_GROUP_REMOVE: { properties: { group_name: name }, required: ['group_name'] },
  OP_GROUP_RENAME: { properties: { group_name: name, new_name: name }, required: ['group_name', 'new_name'] },
  OP_GROUP_ASSIGN_NODES: {
    properties: {
      group_name: name,
      force: { type: 'boolean', default: false },
      nodes: { type: 'array', items: name },
      node_uuids: { type: ['array', 'null'], items: name, default: null },
    },
    required: ['group_name', 'nodes'],
  },
});
