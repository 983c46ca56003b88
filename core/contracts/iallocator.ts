/**
 * Instance allocators (interfaces §4). The master builds the protocol-version-2 input, a
 * provider decides, the master checks the result's shape and acts on it. The built-in
 * external-program provider writes the input to a temp file and runs an executable from
 * the iallocator search path (`hail`); a plugin may instead decide in JavaScript. Both see
 * and return exactly Ganeti's JSON.
 *
 * State machine: none. A provider is a pure function of its input: one request, one
 * answer, nothing kept between calls; the master locks what the answer names afterwards.
 * A provider that cannot decide answers `success: false` with `info`; one that fails to run
 * throws a GanetiError.
 */
import type { ProviderContext } from './context.js';
import type { OpCodeInput } from './hooks.js';
import type { Params } from './params.js';
import type { ProviderBase } from './provider.js';

/** One instance spec of an instance policy. */
export interface IaIspec {
  readonly 'memory-size': number;
  readonly 'cpu-count': number;
  readonly 'disk-count': number;
  readonly 'disk-size': number;
  readonly 'nic-count': number;
  readonly 'spindle-use': number;
}

/** An instance policy (cluster's or a group's, filled). */
export interface IaIpolicy {
  readonly minmax: readonly { readonly min: IaIspec; readonly max: IaIspec }[];
  readonly std: IaIspec;
  readonly 'disk-templates': readonly string[];
  readonly 'vcpu-ratio': number;
  readonly 'spindle-ratio': number;
}

/** A node group, keyed by UUID in the input. */
export interface IaNodeGroup {
  readonly name: string;
  readonly alloc_policy: 'preferred' | 'last_resort' | 'unallocable';
  /** Network UUIDs connected to the group. */
  readonly networks: readonly string[];
  /** The group's filled policy. */
  readonly ipolicy: IaIpolicy;
  readonly tags: readonly string[];
}

/** A node; the dynamic fields exist only for online vm-capable nodes. Memory and disk in MiB. */
export interface IaNode {
  readonly tags: readonly string[];
  readonly primary_ip: string;
  readonly secondary_ip: string;
  readonly offline: boolean;
  readonly drained: boolean;
  readonly master_candidate: boolean;
  /** Group UUID. */
  readonly group: string;
  readonly master_capable: boolean;
  readonly vm_capable: boolean;
  readonly ndparams: Params;
  readonly total_memory?: number;
  /** Memory used by the node itself (dom0). */
  readonly reserved_memory?: number;
  /** Free memory, lowered for running instances below their maxmem. */
  readonly free_memory?: number;
  /** Disk figures for the request's disk template (or the first enabled one). */
  readonly total_disk?: number;
  readonly free_disk?: number;
  readonly total_spindles?: number;
  readonly free_spindles?: number;
  readonly total_cpus?: number;
  readonly reserved_cpus?: number;
  /** Sum of maxmem of its primary instances. */
  readonly i_pri_memory?: number;
  /** Same, for instances whose admin state is up. */
  readonly i_pri_up_memory?: number;
}

/** A NIC in the input (existing instances and requests). */
export interface IaNic {
  readonly mac: string;
  readonly ip: string | null;
  readonly mode: string;
  readonly link: string;
  readonly bridge?: string | null;
}

/** A disk in the input (existing instances and requests). */
export interface IaDisk {
  readonly dev_type?: string;
  /** MiB. */
  readonly size: number;
  readonly mode: 'rw' | 'ro';
  readonly spindles?: number | null;
  readonly [param: string]: unknown;
}

/** An existing instance, keyed by name in the input. */
export interface IaInstance {
  readonly tags: readonly string[];
  readonly admin_state: 'up' | 'down' | 'offline';
  readonly vcpus: number;
  /** maxmem, MiB. */
  readonly memory: number;
  readonly spindle_use: number;
  readonly os: string;
  /** Node names, primary first. */
  readonly nodes: readonly string[];
  readonly nics: readonly IaNic[];
  readonly disks: readonly IaDisk[];
  readonly disk_template: string;
  readonly disks_active: boolean;
  readonly hypervisor: string;
  readonly disk_space_total: number;
}

/** `allocate`: place a new instance. */
export interface IaAllocateRequest {
  readonly type: 'allocate';
  readonly name: string;
  readonly disk_template: string;
  /** Group to allocate in, or null for any. */
  readonly group_name: string | null;
  readonly tags: readonly string[];
  readonly os: string;
  readonly vcpus: number;
  readonly memory: number;
  readonly spindle_use: number;
  readonly disks: readonly IaDisk[];
  readonly disk_space_total: number;
  readonly nics: readonly IaNic[];
  /** 2 for internally mirrored templates (drbd), else 1. */
  readonly required_nodes: number;
  readonly hypervisor: string;
  readonly 'restrict-to-nodes'?: readonly string[];
}

/** `relocate`: a new secondary for an instance. */
export interface IaRelocateRequest {
  readonly type: 'relocate';
  readonly name: string;
  readonly disk_space_total: number;
  readonly required_nodes: number;
  readonly relocate_from: readonly string[];
}

/** `allocate-secondary`: a secondary for an instance being converted to a mirrored template. */
export interface IaAllocateSecondaryRequest {
  readonly type: 'allocate-secondary';
  readonly name: string;
}

/** `multi-allocate`: several new instances at once. */
export interface IaMultiAllocateRequest {
  readonly type: 'multi-allocate';
  readonly instances: readonly Omit<IaAllocateRequest, 'type'>[];
}

/** `node-evacuate`: move instances off nodes. */
export interface IaNodeEvacuateRequest {
  readonly type: 'node-evacuate';
  readonly instances: readonly string[];
  readonly evac_mode: 'primary-only' | 'secondary-only' | 'all';
}

/** `change-group`: move instances to other groups. */
export interface IaChangeGroupRequest {
  readonly type: 'change-group';
  readonly instances: readonly string[];
  /** Group UUIDs; empty means any other group. */
  readonly target_groups: readonly string[];
}

/** `request` of the input, told apart by `type`. */
export type IallocatorRequest =
  | IaAllocateRequest
  | IaRelocateRequest
  | IaAllocateSecondaryRequest
  | IaMultiAllocateRequest
  | IaNodeEvacuateRequest
  | IaChangeGroupRequest;

/** The request types (`gnt-debug iallocator --mode`). */
export type IallocatorMode = IallocatorRequest['type'];

/** Input of protocol version 2. `nodes` and `instances` are keyed by name, `nodegroups` by UUID. */
export interface IallocatorInput<R extends IallocatorRequest = IallocatorRequest> {
  readonly version: 2;
  readonly cluster_name: string;
  readonly cluster_tags: readonly string[];
  readonly enabled_hypervisors: readonly string[];
  readonly ipolicy: IaIpolicy;
  readonly nodegroups: { readonly [uuid: string]: IaNodeGroup };
  readonly nodes: { readonly [name: string]: IaNode };
  readonly instances: { readonly [name: string]: IaInstance };
  readonly request: R;
}

/** `[instance, target group name, node names]`. */
export type IaMoved = readonly [string, string, readonly string[]];
/** `[instance, reason or null]`. */
export type IaFailed = readonly [string, string | null];
/** Jobs to submit: each a list of opcodes (OP_INSTANCE_FAILOVER, _MIGRATE, _REPLACE_DISKS). */
export type IaJobs = readonly (readonly OpCodeInput[])[];

/** The `result` each request type must produce on success. */
export interface IallocatorResults {
  /** Node names, as many as `required_nodes`. */
  readonly allocate: readonly string[];
  /** Node names, within the groups of the instance's current nodes. */
  readonly relocate: readonly string[];
  /** One node name. */
  readonly 'allocate-secondary': string;
  /** `[[ [instance, nodes], ... ], [failed instances]]`. */
  readonly 'multi-allocate': readonly [readonly (readonly [string, readonly string[]])[], readonly string[]];
  readonly 'node-evacuate': readonly [readonly IaMoved[], readonly IaFailed[], IaJobs];
  readonly 'change-group': readonly [readonly IaMoved[], readonly IaFailed[], IaJobs];
}

/** Any valid `result`. */
export type IallocatorResult = IallocatorResults[IallocatorMode];

/** The allocator's answer; `result` is `[]` when `success` is false. */
export interface IallocatorOutput<R = IallocatorResult> {
  readonly success: boolean;
  /** Shown to the user on failure. */
  readonly info: string;
  readonly result: R | readonly [];
}

/**
 * An allocator. Registered with `host.iallocators.register(name, p)`; the name is what
 * `-I name` and `default_iallocator` use. `params` is the schema of its options
 * (`default_iallocator_params` plus request extras such as `ignore-soft-errors`).
 */
export interface IallocatorProvider extends ProviderBase {
  /**
   * On the master: decides on `input.request`. A refusal is a normal answer (`success:
   * false` with `info`); throw a GanetiError only when the allocator itself failed (program
   * missing, non-zero exit, output not a JSON object with `success`, `info` and `result`;
   * a legacy `nodes` key is accepted in place of `result`).
   */
  run(input: IallocatorInput, params: Params, ctx: ProviderContext): Promise<IallocatorOutput>;
}

/** Methods every allocator has; the host refuses a registration lacking one. */
export const IALLOCATOR_REQUIRED_METHODS = Object.freeze(['run'] as const satisfies readonly (keyof IallocatorProvider)[]);
