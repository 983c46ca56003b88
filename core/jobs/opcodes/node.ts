import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * The node family of opcodes, with Ganeti's field names and defaults (OpNodeAdd,
 * OpNodeRemove, OpNodeSetParams). `join_token` is ganeti-ts's own field of OpNodeAdd:
 * the token of a node daemon waiting in join mode (see core/cluster/join-token.ts).
 */

type Params = Readonly<Record<string, unknown>>;

export interface OpNodeAdd extends OpCommon {
  readonly OP_ID: 'OP_NODE_ADD';
  readonly node_name: string;
  /** Filled from the name when not given (Ganeti resolves it; so do we, or take this). */
  readonly primary_ip: string | null;
  readonly secondary_ip: string | null;
  readonly readd: boolean;
  /** Node group name or UUID (default: the first group). */
  readonly group: string | null;
  readonly master_capable: boolean | null;
  readonly vm_capable: boolean | null;
  readonly ndparams: Params | null;
  readonly hv_state: Params | null;
  readonly disk_state: Params | null;
  /** Ganeti's SSH setup of the new node; ganeti-ts has no SSH between nodes: must stay false. */
  readonly node_setup: boolean;
  readonly join_token: string | null;
}

export interface OpNodeRemove extends OpCommon {
  readonly OP_ID: 'OP_NODE_REMOVE';
  readonly node_name: string;
  readonly node_uuid: string | null;
}

export interface OpNodeSetParams extends OpCommon {
  readonly OP_ID: 'OP_NODE_SET_PARAMS';
  readonly node_name: string;
  readonly node_uuid: string | null;
  readonly force: boolean;
  readonly hv_state: Params | null;
  readonly disk_state: Params | null;
  readonly master_candidate: boolean | null;
  readonly offline: boolean | null;
  readonly drained: boolean | null;
  readonly auto_promote: boolean;
  readonly master_capable: boolean | null;
  readonly vm_capable: boolean | null;
  readonly secondary_ip: string | null;
  readonly ndparams: Params | null;
  readonly powered: boolean | null;
}

export type NodeOpCode = OpNodeAdd | OpNodeRemove | OpNodeSetParams;

const optBool = { type: ['boolean', 'null'], default: null };
const optStr = { type: ['string', 'null'], default: null };
const optDict = { type: ['object', 'null'], default: null };
const nodeName = { type: 'string', minLength: 1 };

export const NODE_OPCODE_SCHEMAS: { readonly [K in NodeOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_NODE_ADD: {
    properties: {
      node_name: nodeName,
      primary_ip: optStr,
      secondary_ip: optStr,
      readd: { type: 'boolean', default: false },
      group: optStr,
      master_capable: optBool,
      vm_capable: optBool,
      ndparams: optDict,
      hv_state: optDict,
      disk_state: optDict,
      node_setup: { type: 'boolean', default: false },
      join_token: optStr,
    },
    required: ['node_name'],
  },
  OP_NODE_REMOVE: {
    properties: { node_name: nodeName, node_uuid: optStr },
    required: ['node_name'],
  },
  OP_NODE_SET_PARAMS: {
    properties: {
      node_name: nodeName,
      node_uuid: optStr,
      force: { type: 'boolean', default: false },
      hv_state: optDict,
      disk_state: optDict,
      master_candidate: optBool,
      offline: optBool,
      drained: optBool,
      auto_promote: { type: 'boolean', default: false },
      master_capable: optBool,
      vm_capable: optBool,
      secondary_ip: optStr,
      ndparams: optDict,
      powered: optBool,
    },
    required: ['node_name'],
  },
});
