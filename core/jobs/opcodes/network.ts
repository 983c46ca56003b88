import type { OpCommon, OpcodeSchema } from './common.js';

/**
 * The network opcodes (Ganeti's OpNetworkAdd, OpNetworkRemove, OpNetworkSetParams,
 * OpNetworkConnect, OpNetworkDisconnect; src/Ganeti/OpCodes.hs, OpParams.hs) with Ganeti's
 * field names and defaults. `network_name` may also be a network's UUID. Optional fields are
 * null when not given; in OP_NETWORK_SET_PARAMS the string `none` clears one.
 */

export interface OpNetworkAdd extends OpCommon {
  readonly OP_ID: 'OP_NETWORK_ADD';
  readonly network_name: string;
  /** IPv4 subnet, CIDR (required). */
  readonly network: string;
  readonly gateway: string | null;
  readonly network6: string | null;
  readonly gateway6: string | null;
  readonly mac_prefix: string | null;
  /** Addresses reserved externally from the start. */
  readonly add_reserved_ips: readonly string[] | null;
  /** Reserve the nodes' and the master's addresses in the range; ours: refuse overlapping networks. */
  readonly conflicts_check: boolean;
  readonly tags: readonly string[];
}

export interface OpNetworkRemove extends OpCommon {
  readonly OP_ID: 'OP_NETWORK_REMOVE';
  readonly network_name: string;
  /** Accepted as Ganeti does; a connected network is refused all the same. */
  readonly force: boolean;
}

export interface OpNetworkSetParams extends OpCommon {
  readonly OP_ID: 'OP_NETWORK_SET_PARAMS';
  readonly network_name: string;
  readonly gateway: string | null;
  readonly network6: string | null;
  readonly gateway6: string | null;
  readonly mac_prefix: string | null;
  readonly add_reserved_ips: readonly string[] | null;
  readonly remove_reserved_ips: readonly string[] | null;
}

export interface OpNetworkConnect extends OpCommon {
  readonly OP_ID: 'OP_NETWORK_CONNECT';
  readonly group_name: string;
  readonly network_name: string;
  /** NIC mode of the group's NICs on this network (bridged, routed, openvswitch, ...). */
  readonly network_mode: string;
  readonly network_link: string;
  readonly network_vlan: string;
  readonly conflicts_check: boolean;
}

export interface OpNetworkDisconnect extends OpCommon {
  readonly OP_ID: 'OP_NETWORK_DISCONNECT';
  readonly group_name: string;
  readonly network_name: string;
}

export type NetworkOpCode = OpNetworkAdd | OpNetworkRemove | OpNetworkSetParams | OpNetworkConnect | OpNetworkDisconnect;

const name = { type: 'string', minLength: 1 };
const maybeString = { type: ['string', 'null'], default: null };
const maybeIps = { type: ['array', 'null'], items: { type: 'string' }, default: null };

export const NETWORK_OPCODE_SCHEMAS: { readonly [K in NetworkOpCode['OP_ID']]: OpcodeSchema } = Object.freeze({
  OP_NETWORK_ADD: {
    properties: {
      network_name: name,
      network: { type: 'string' },
      gateway: maybeString,
      network6: maybeString,
      gateway6: maybeString,
      mac_prefix: maybeString,
      add_reserved_ips: maybeIps,
      conflicts_check: { type: 'boolean', default: true },
      tags: { type: 'array', items: name, default: [] },
    },
    required: ['network_name', 'network'],
  },
  OP_NETWORK_REMOVE: { properties: { network_name: name, force: { type: 'boolean', default: false } }, required: ['network_name'] },
  OP_NETWORK_SET_PARAMS: {
    properties: {
      network_name: name,
      gateway: maybeString,
      network6: maybeString,
      gateway6: maybeString,
      mac_prefix: maybeString,
      add_reserved_ips: maybeIps,
      remove_reserved_ips: maybeIps,
    },
    required: ['network_name'],
  },
  OP_NETWORK_CONNECT: {
    properties: {
      group_name: name,
      network_name: name,
      network_mode: { type: 'string', minLength: 1 },
      network_link: name,
      network_vlan: { type: 'string', default: '' },
      conflicts_check: { type: 'boolean', default: true },
    },
    required: ['group_name', 'network_name', 'network_mode', 'network_link'],
  },
  OP_NETWORK_DISCONNECT: { properties: { group_name: name, network_name: name }, required: ['group_name', 'network_name'] },
});
