import type { EcodeName } from './ecode.js';

/**
 * Every error code ganeti-ts raises, in one place (like fastify's lib/errors.js).
 * A code is stable once released: tools and tests match on it. Each entry gives Ganeti's
 * ECODE_* class where one applies and builds a one-line message from named arguments.
 * `core/errors/README.md` must list exactly these codes (a test checks it).
 */
interface ErrorDef<A> {
  readonly ecode: EcodeName | null;
  readonly message: (args: A) => string;
}

const def = <A = Record<string, never>>(ecode: EcodeName | null, message: (args: A) => string): ErrorDef<A> =>
  Object.freeze({ ecode, message });

type S = string;
/** A failed pre hook, as Ganeti's HooksAbort lists it: `[node, script, output]`. */
export type HookFailure = readonly [node: string, script: string, output: string];

export const ERROR_CATALOG = Object.freeze({
  // plugins and the plugin host
  GNT_PLUGIN_NOT_FOUND: def<{ plugin: S; from: S }>('ECODE_NOENT',
    (a) => `plugin '${a.plugin}' is not installed (listed in ${a.from}); install it with npm or remove it from the list`),
  GNT_PLUGIN_LOAD_FAILED: def<{ plugin: S; reason: S }>('ECODE_ENVIRON',
    (a) => `plugin '${a.plugin}' could not be loaded: ${a.reason}`),
  GNT_PLUGIN_INVALID: def<{ plugin: S; reason: S }>('ECODE_INVAL',
    (a) => `plugin '${a.plugin}' is not a ganeti-ts plugin: ${a.reason}`),
  GNT_PLUGIN_API_VERSION: def<{ plugin: S; wanted: S; supported: S }>('ECODE_ENVIRON',
    (a) => `plugin '${a.plugin}' was built for plugin API ${a.wanted}, this ganeti-ts supports API ${a.supported}`),
  GNT_PLUGIN_DEPENDENCY_MISSING: def<{ plugin: S; dependency: S }>('ECODE_ENVIRON',
    (a) => `plugin '${a.plugin}' needs '${a.dependency}', which is not installed or did not load`),
  GNT_PLUGIN_DUPLICATE: def<{ plugin: S; first: S; second: S }>('ECODE_EXISTS',
    (a) => `plugin '${a.plugin}' is loaded twice (from ${a.first} and from ${a.second}); the second is ignored`),
  GNT_PLUGIN_APPLY_FAILED: def<{ plugin: S; reason: S }>('ECODE_FAULT',
    (a) => `plugin '${a.plugin}' failed in apply(): ${a.reason}; none of its registrations were kept`),
  GNT_PLUGIN_HOOK_FAILED: def<{ plugin: S; hook: S; reason: S }>('ECODE_FAULT',
    (a) => `plugin '${a.plugin}' failed in hook '${a.hook}': ${a.reason}`),
  GNT_PLUGIN_CONFIG_INVALID: def<{ file: S; reason: S }>('ECODE_INVAL',
    (a) => `invalid ganeti configuration in ${a.file}: ${a.reason}`),

  // providers registered by plugins
  GNT_PROVIDER_DUPLICATE: def<{ kind: S; name: S; plugin: S; owner: S }>('ECODE_EXISTS',
    (a) => `plugin '${a.plugin}' registers ${a.kind} provider '${a.name}', already registered by '${a.owner}'`),
  GNT_PROVIDER_INVALID: def<{ kind: S; name: S; plugin: S; reason: S }>('ECODE_INVAL',
    (a) => `plugin '${a.plugin}' registers an invalid ${a.kind} provider '${a.name}': ${a.reason}`),
  GNT_PROVIDER_UNKNOWN: def<{ kind: S; name: S; known: S }>('ECODE_NOENT',
    (a) => `unknown ${a.kind} '${a.name}' (known: ${a.known || 'none'})`),
  GNT_PROVIDER_FAILED: def<{ plugin: S; hook: S; reason: S }>('ECODE_FAULT',
    (a) => `plugin '${a.plugin}' failed in '${a.hook}': ${a.reason}`),

  // parameters (hypervisor, backend, disk, NIC, OS, provider options)
  GNT_PARAM_UNKNOWN: def<{ owner: S; param: S; known: S }>('ECODE_INVAL',
    (a) => `unknown parameter '${a.param}' for ${a.owner} (known: ${a.known || 'none'})`),
  GNT_PARAM_INVALID: def<{ owner: S; param: S; problem: S }>('ECODE_INVAL',
    (a) => `parameter '${a.param}' for ${a.owner} ${a.problem}`),
  GNT_PARAM_MISSING: def<{ owner: S; param: S }>('ECODE_INVAL',
    (a) => `parameter '${a.param}' for ${a.owner} is required`),

  // child processes (core/exec)
  GNT_EXEC_NOT_FOUND: def<{ command: S }>('ECODE_ENVIRON',
    (a) => `command not found: ${a.command}`),
  GNT_EXEC_FAILED: def<{ command: S; status: S; tail: S }>('ECODE_ENVIRON',
    (a) => `command '${a.command}' ${a.status}${a.tail ? `; last output:\n${a.tail}` : ''}`),
  GNT_EXEC_TIMEOUT: def<{ command: S; timeoutMs: S }>('ECODE_ENVIRON',
    (a) => `command '${a.command}' timed out after ${a.timeoutMs} ms and was killed`),
  GNT_EXEC_ABORTED: def<{ command: S }>('ECODE_STATE',
    (a) => `command '${a.command}' was aborted`),

  // hypervisors (instances on one node)
  GNT_HV_INSTANCE_RUNNING: def<{ hypervisor: S; instance: S; node: S }>('ECODE_STATE',
    (a) => `${a.hypervisor} instance '${a.instance}' is already running on node ${a.node}`),
  GNT_HV_INSTANCE_NOT_RUNNING: def<{ hypervisor: S; instance: S; node: S }>('ECODE_STATE',
    (a) => `${a.hypervisor} instance '${a.instance}' is not running on node ${a.node}`),
  GNT_HV_NOT_MIGRATING: def<{ hypervisor: S; instance: S; node: S }>('ECODE_STATE',
    (a) => `${a.hypervisor} instance '${a.instance}' is not migrating from node ${a.node}`),
  GNT_HV_FAILED: def<{ hypervisor: S; action: S; reason: S }>('ECODE_ENVIRON',
    (a) => `hypervisor ${a.hypervisor} could not ${a.action}: ${a.reason}`),

  // storage (block devices and storage units on one node)
  GNT_DISK_SPEC_INVALID: def<{ template: S; disk: S; reason: S }>('ECODE_INVAL',
    (a) => `invalid ${a.template} disk ${a.disk}: ${a.reason}`),
  GNT_DISK_EXISTS: def<{ template: S; disk: S; node: S }>('ECODE_EXISTS',
    (a) => `${a.template} disk '${a.disk}' already exists on node ${a.node}; it is not overwritten`),
  GNT_DISK_NOT_FOUND: def<{ template: S; disk: S; node: S }>('ECODE_NOENT',
    (a) => `${a.template} disk '${a.disk}' does not exist on node ${a.node}`),
  GNT_DISK_SHRINK: def<{ template: S; disk: S; amount: S }>('ECODE_INVAL',
    (a) => `${a.template} disk '${a.disk}' cannot shrink (asked to grow by ${a.amount} MiB)`),
  GNT_DISK_FAILED: def<{ template: S; disk: S; action: S; reason: S }>('ECODE_ENVIRON',
    (a) => `could not ${a.action} ${a.template} disk '${a.disk}': ${a.reason}`),
  GNT_STORAGE_UNIT_NOT_FOUND: def<{ type: S; name: S; node: S }>('ECODE_NOENT',
    (a) => `${a.type} storage unit '${a.name}' does not exist on node ${a.node}`),
  GNT_DISK_UNSUPPORTED: def<{ template: S; disk: S; action: S }>('ECODE_INVAL',
    (a) => `${a.template} disk '${a.disk}' does not support ${a.action}`),
  GNT_DISK_NOT_ASSEMBLED: def<{ template: S; disk: S; node: S; action: S }>('ECODE_STATE',
    (a) => `${a.template} disk '${a.disk}' is not assembled on node ${a.node}; cannot ${a.action}`),
  GNT_DRBD_MINOR_IN_USE: def<{ disk: S; minor: S; node: S }>('ECODE_STATE',
    (a) => `drbd minor ${a.minor} for disk '${a.disk}' is already in use on node ${a.node}`),
  GNT_DRBD_STATUS_UNREADABLE: def<{ file: S; reason: S }>('ECODE_ENVIRON',
    (a) => `cannot read the DRBD status from ${a.file}: ${a.reason}`),
  GNT_DRBD_META_SIZE: def<{ disk: S; path: S; problem: S }>('ECODE_INVAL',
    (a) => `meta device ${a.path} of drbd disk '${a.disk}' ${a.problem} (it must hold 128 MiB to 1 GiB)`),
  GNT_DRBD_STATE: def<{ disk: S; minor: S; action: S; state: S }>('ECODE_STATE',
    (a) => `drbd${a.minor} (disk '${a.disk}') cannot ${a.action}: ${a.state}`),
  GNT_BLOCKDEV_PATH_REFUSED: def<{ path: S; allowed: S }>('ECODE_INVAL',
    (a) => `block device path '${a.path}' is not under an allowed prefix (${a.allowed}); refusing to adopt it`),
  GNT_BLOCKDEV_NOT_BLOCK: def<{ path: S; node: S; found: S }>('ECODE_INVAL',
    (a) => `'${a.path}' on node ${a.node} is not a block device (${a.found})`),

  // opcodes and jobs
  GNT_OPCODE_UNKNOWN: def<{ opcode: S; known: S }>('ECODE_INVAL',
    (a) => `unknown opcode '${a.opcode}' (known: ${a.known})`),
  GNT_OPCODE_INVALID: def<{ opcode: S; field: S; problem: S }>('ECODE_INVAL',
    (a) => `${a.opcode}: field '${a.field}' ${a.problem}`),
  GNT_OPCODE_VETOED: def<{ opcode: S; plugin: S; reason: S }>('ECODE_STATE',
    (a) => `${a.opcode} was vetoed by plugin '${a.plugin}': ${a.reason}`),
  GNT_JOB_NOT_FOUND: def<{ job: S }>('ECODE_NOENT', (a) => `job ${a.job} not found`),
  GNT_JOB_QUEUE_DRAINED: def('ECODE_STATE', () => 'Job queue is drained, refusing job'),
  GNT_JOB_QUEUE_FULL: def<{ limit: S }>('ECODE_TEMP_NORES', (a) => `job queue is full (${a.limit} jobs), refusing job`),
  GNT_JOB_CANCELED: def<{ job: S }>('ECODE_STATE', (a) => `job ${a.job} was canceled`),
  GNT_JOB_DEPENDENCY: def<{ job: S; dependency: S; problem: S }>('ECODE_STATE',
    (a) => `job ${a.job} depends on job ${a.dependency}, which ${a.problem}`),
  GNT_JOB_LOST: def<{ job: S }>('ECODE_FAULT',
    (a) => `detected death of job ${a.job}: the master daemon stopped while it was running`),

  // the configuration store (core/config)
  GNT_CONFIG_NOT_FOUND: def<{ file: S }>('ECODE_NOENT',
    (a) => `configuration file ${a.file} does not exist; is the cluster initialised (gnt-cluster init)?`),
  GNT_CONFIG_CORRUPT: def<{ file: S; problem: S }>('ECODE_ENVIRON',
    (a) => `configuration file ${a.file} is corrupt: ${a.problem}; it was left untouched`),
  GNT_CONFIG_INVALID: def<{ what: S; problem: S }>('ECODE_INVAL',
    (a) => `invalid configuration (${a.what}): ${a.problem}`),
  GNT_CONFIG_VERSION: def<{ file: S; found: S; supported: S }>('ECODE_ENVIRON',
    (a) => `configuration file ${a.file} has version ${a.found}; this ganeti-ts reads versions ${a.supported}`),
  GNT_CONFIG_LOCKED: def<{ file: S; lock: S; pid: S }>('ECODE_STATE',
    (a) => `configuration ${a.file} is locked by running process ${a.pid} (lock file ${a.lock}); only one writer may run`),
  GNT_CONFIG_CONFLICT: def<{ file: S; problem: S }>('ECODE_STATE',
    (a) => `configuration file ${a.file} ${a.problem}; it is not overwritten`),
  GNT_CONFIG_EXISTS: def<{ what: S }>('ECODE_EXISTS',
    (a) => `${a.what} already exists`),
  GNT_CONFIG_UNKNOWN_OBJECT: def<{ kind: S; id: S }>('ECODE_NOENT',
    (a) => `no ${a.kind} with UUID ${a.id} in the configuration`),
  GNT_CONFIG_WRITE_FAILED: def<{ file: S; reason: S }>('ECODE_ENVIRON',
    (a) => `writing ${a.file} failed: ${a.reason}`),
  GNT_CONFIG_CLOSED: def<{ file: S }>('ECODE_STATE',
    (a) => `the configuration store of ${a.file} is closed`),

  GNT_CLUSTER_NOT_INITIALIZED: def('ECODE_ENVIRON', () => 'this node is not part of a cluster (no configuration): run gnt-cluster init'),
  GNT_CLUSTER_PARAM_IN_USE: def<{ what: S; user: S }>('ECODE_STATE',
    (a) => `cannot disable ${a.what}: ${a.user} uses it`),
  GNT_CLUSTER_NOT_EMPTY: def<{ count: S; what: S }>('ECODE_INVAL',
    (a) => `There are still ${a.count} ${a.what} in this cluster.`),

  // master failover (core/cluster/failover.ts)
  GNT_FAILOVER_ALREADY_MASTER: def<{ node: S }>('ECODE_INVAL',
    (a) => `This command must be run on the node where you want the new master to be. ${a.node} is already the master`),
  GNT_FAILOVER_NOT_CANDIDATE: def<{ node: S; candidates: S }>('ECODE_STATE',
    (a) => `This node (${a.node}) is not among the nodes marked as master candidates. Only these nodes can become masters. Current list of master candidates is:\n${a.candidates}`),
  GNT_FAILOVER_NO_QUORUM: def<{ detail: S }>('ECODE_ENVIRON',
    (a) => `Cluster is inconsistent, most nodes did not respond (${a.detail})`),
  GNT_FAILOVER_WRONG_MASTER: def<{ mine: S; voted: S }>('ECODE_STATE',
    (a) => `I have a wrong configuration, I believe the master is ${a.mine} but the other nodes voted ${a.voted}. Please resync the configuration of this node.`),
  GNT_FAILOVER_STALE_CONFIG: def<{ node: S; candidate: S; mine: S; theirs: S }>('ECODE_STATE',
    (a) => `master candidate ${a.candidate} has a newer configuration (serial ${a.theirs}) than this node ${a.node} (serial ${a.mine}); run gnt-cluster redist-conf on the master, or fail over to ${a.candidate}`),
  GNT_FAILOVER_FAILED: def<{ step: S; reason: S }>('ECODE_ENVIRON',
    (a) => `master failover failed while ${a.step}: ${a.reason}`),

  // commands and files sent to nodes (gnt-cluster command/copyfile)
  GNT_NODED_NOT_MASTER: def<{ procedure: S }>('ECODE_STATE',
    (a) => `${a.procedure} is accepted only from the master node's certificate`),

  // locks (core/locks)
  GNT_LOCK_DELETED: def<{ lock: S }>('ECODE_NOENT',
    (a) => `lock '${a.lock}' does not exist or was deleted`),
  GNT_LOCK_NOT_OWNED: def<{ owner: S; lock: S; how: S }>('ECODE_FAULT',
    (a) => `${a.owner} does not hold lock '${a.lock}'${a.how}`),
  GNT_LOCK_ALREADY_OWNED: def<{ owner: S; lock: S }>('ECODE_FAULT',
    (a) => `${a.owner} already holds or is acquiring '${a.lock}'; locks are not recursive`),
  GNT_LOCK_LEVEL_ORDER: def<{ owner: S; level: S; held: S }>('ECODE_FAULT',
    (a) => `${a.owner} may not acquire locks at level '${a.level}' while holding locks at level '${a.held}'`),
  GNT_LOCK_EXISTS: def<{ lock: S }>('ECODE_EXISTS',
    (a) => `lock '${a.lock}' already exists`),
  GNT_LOCK_ABORTED: def<{ lock: S }>('ECODE_STATE',
    (a) => `waiting for lock '${a.lock}' was aborted`),
  GNT_LOCK_REQUEST_INVALID: def<{ reason: S }>('ECODE_INVAL',
    (a) => `invalid lock request: ${a.reason}`),
  GNT_LOCKS_DATA_INVALID: def<{ where: S; reason: S }>('ECODE_INVAL',
    (a) => `invalid locks.data at ${a.where}: ${a.reason}`),

  // LUXI (core/luxi) and queries (core/query)
  GNT_LUXI_PROTOCOL: def<{ reason: S }>(null, (a) => `LUXI protocol error: ${a.reason}`),
  GNT_LUXI_UNKNOWN_METHOD: def<{ method: S; problem: S }>('ECODE_INVAL',
    (a) => `LUXI method '${a.method}' ${a.problem}`),
  GNT_LUXI_ARGS: def<{ method: S; problem: S }>('ECODE_INVAL',
    (a) => `invalid arguments for LUXI method ${a.method}: ${a.problem}`),
  GNT_LUXI_CONNECT: def<{ socket: S; reason: S }>('ECODE_ENVIRON',
    (a) => `cannot connect to the master daemon at ${a.socket}: ${a.reason}`),
  GNT_LUXI_TIMEOUT: def<{ socket: S; what: S; timeoutMs: S }>('ECODE_ENVIRON',
    (a) => `${a.what} on ${a.socket} timed out after ${a.timeoutMs} ms`),
  GNT_LUXI_LISTEN: def<{ socket: S; reason: S }>('ECODE_ENVIRON',
    (a) => `cannot listen on LUXI socket ${a.socket}: ${a.reason}`),
  GNT_LUXI_REMOTE: def<{ errorClass: S; message: S }>(null, (a) => `${a.errorClass}: ${a.message}`),
  GNT_QUERY_FILTER: def<{ reason: S }>('ECODE_INVAL', (a) => `invalid query filter: ${a.reason}`),
  GNT_QUERY_UNKNOWN_FIELD: def<{ resource: S; fields: S }>('ECODE_INVAL',
    (a) => `unknown ${a.resource} field(s): ${a.fields}`),
  GNT_QUERY_UNKNOWN_NAME: def<{ kind: S; name: S; problem: S }>('ECODE_NOENT',
    (a) => `${a.kind} name ${a.name} ${a.problem}`),
  GNT_QUERY_RESOURCE: def<{ resource: S; known: S }>('ECODE_INVAL',
    (a) => `resource '${a.resource}' cannot be queried here (known: ${a.known})`),
  GNT_CLI_INVALID_ARGUMENT: def<{ reason: S }>('ECODE_INVAL', (a) => a.reason),

  // node daemon RPC (core/rpc, core/node, core/daemons/noded.ts)
  GNT_RPC_UNKNOWN_CALL: def<{ procedure: S; known: S }>('ECODE_INVAL',
    (a) => `unknown RPC procedure '${a.procedure}' (known: ${a.known || 'none'})`),
  GNT_RPC_CALL_INVALID: def<{ procedure: S; reason: S }>('ECODE_FAULT',
    (a) => `cannot define RPC procedure '${a.procedure}': ${a.reason}`),
  GNT_RPC_ARGS: def<{ procedure: S; problem: S }>('ECODE_INVAL',
    (a) => `invalid arguments for RPC procedure ${a.procedure}: ${a.problem}`),
  GNT_RPC_ENCODING: def<{ what: S; problem: S }>('ECODE_INVAL',
    (a) => `cannot decode ${a.what}: ${a.problem}`),
  GNT_RPC_NODE_OFFLINE: def<{ node: S }>('ECODE_STATE',
    (a) => `Node is marked offline (${a.node}); it was not contacted`),
  GNT_RPC_CONNECT: def<{ node: S; address: S; procedure: S; reason: S }>('ECODE_ENVIRON',
    (a) => `error while contacting node ${a.node} (${a.address}) for ${a.procedure}: ${a.reason}`),
  GNT_RPC_TIMEOUT: def<{ node: S; address: S; procedure: S; timeout: S }>('ECODE_ENVIRON',
    (a) => `node ${a.node} (${a.address}) did not answer ${a.procedure} within ${a.timeout}; the request was abandoned`),
  GNT_RPC_HTTP: def<{ node: S; procedure: S; status: S; message: S }>('ECODE_ENVIRON',
    (a) => `node ${a.node} refused ${a.procedure} with HTTP ${a.status}: ${a.message}`),
  GNT_RPC_BAD_RESPONSE: def<{ node: S; procedure: S; problem: S }>(null,
    (a) => `invalid answer from node ${a.node} to ${a.procedure}: ${a.problem}`),
  GNT_RPC_REMOTE: def<{ node: S; procedure: S; message: S }>(null,
    (a) => `call '${a.procedure}' to node '${a.node}' has failed: ${a.message}`),
  GNT_NODED_NOT_IMPLEMENTED: def<{ procedure: S }>('ECODE_ENVIRON',
    (a) => `procedure ${a.procedure} is declared but not available on this node (no module or plugin provides it)`),
  GNT_NODED_FILE_REFUSED: def<{ file: S; reason: S }>('ECODE_INVAL',
    (a) => `${a.reason}: '${a.file}'`),
  GNT_NODED_FAILED: def<{ procedure: S; reason: S }>('ECODE_ENVIRON',
    (a) => `${a.procedure} failed on this node: ${a.reason}`),
  GNT_NODED_LISTEN: def<{ address: S; reason: S }>('ECODE_ENVIRON',
    (a) => `the node daemon cannot listen on ${a.address}: ${a.reason}`),
  GNT_CRYPTO_FAILED: def<{ what: S; reason: S }>('ECODE_ENVIRON',
    (a) => `cannot ${a.what}: ${a.reason}`),
  GNT_CRYPTO_BAD_CERT: def<{ file: S; reason: S }>('ECODE_INVAL',
    (a) => `certificate ${a.file} is not usable: ${a.reason}`),

  GNT_RPC_DISTRIBUTION: def<{ nodes: S }>('ECODE_ENVIRON', (a) => `the configuration could not be sent to: ${a.nodes}`),

  // nodes joining and leaving (core/cluster, core/jobs/units/node-*.ts)
  GNT_JOIN_TOKEN_INVALID: def<{ reason: S }>('ECODE_INVAL', (a) => `invalid join token: ${a.reason}`),
  GNT_JOIN_FINGERPRINT: def<{ node: S; expected: S; found: S }>('ECODE_INVAL',
    (a) => `node ${a.node} presented a certificate with SHA-256 fingerprint ${a.found}, the join token names ${a.expected}; nothing was sent`),
  GNT_JOIN_REFUSED: def<{ node: S; reason: S }>('ECODE_INVAL', (a) => `node ${a.node} refused to join: ${a.reason}`),
  GNT_JOIN_FAILED: def<{ node: S; reason: S }>('ECODE_ENVIRON', (a) => `joining node ${a.node} failed: ${a.reason}`),
  GNT_JOIN_STATE: def<{ reason: S }>('ECODE_STATE', (a) => `cannot start in join mode: ${a.reason}`),
  GNT_NODE_UNKNOWN: def<{ field: S; name: S }>('ECODE_NOENT', (a) => `${a.field}: node ${a.name} is not in the configuration`),
  GNT_NODE_EXISTS: def<{ node: S }>('ECODE_EXISTS',
    (a) => `node_name: node ${a.node} is already in the configuration (add it again with --readd)`),
  GNT_NODE_IP_CONFLICT: def<{ field: S; ip: S; node: S }>('ECODE_NOTUNIQUE',
    (a) => `${a.field}: address ${a.ip} conflicts with existing node ${a.node}`),
  GNT_NODE_IS_MASTER: def<{ node: S; problem: S }>('ECODE_INVAL', (a) => `node ${a.node} is the master node: ${a.problem}`),
  GNT_NODE_HAS_INSTANCES: def<{ node: S; instance: S }>('ECODE_INVAL',
    (a) => `instance ${a.instance} still uses node ${a.node}; remove or move it first`),
  GNT_NODE_STATE: def<{ node: S; problem: S }>('ECODE_STATE', (a) => `node ${a.node}: ${a.problem}`),
  GNT_NODE_UNREACHABLE: def<{ node: S; reason: S }>('ECODE_ENVIRON', (a) => `node ${a.node} cannot be reached: ${a.reason}`),
  GNT_NODE_VERSION: def<{ node: S; master: S; found: S }>('ECODE_ENVIRON',
    (a) => `protocol version mismatch: master has ${a.master}, node ${a.node} has ${a.found}`),
  // node groups (core/jobs/units/group-*.ts)
  GNT_GROUP_EXISTS: def<{ field: S; name: S; uuid: S }>('ECODE_EXISTS',
    (a) => `${a.field}: node group '${a.name}' already exists (UUID ${a.uuid})`),
  GNT_GROUP_NOT_FOUND: def<{ field: S; name: S }>('ECODE_NOENT',
    (a) => `${a.field}: node group '${a.name}' not found`),
  GNT_GROUP_NOT_EMPTY: def<{ name: S; nodes: S }>('ECODE_STATE',
    (a) => `node group '${a.name}' cannot be removed: it still has node(s) ${a.nodes}`),
  GNT_GROUP_LAST: def<{ name: S }>('ECODE_STATE',
    (a) => `node group '${a.name}' is the only group and cannot be removed`),
  GNT_GROUP_NO_CHANGES: def<{ name: S }>('ECODE_INVAL',
    (a) => `nothing to modify in node group '${a.name}': give at least one parameter`),
  GNT_GROUP_SPLIT_INSTANCES: def<{ instances: S }>('ECODE_STATE',
    (a) => `moving these nodes would split instance(s) ${a.instances} across node groups; use --force to do it anyway`),

  // hook scripts (core/jobs/hooks-master.ts, plugins/hook-scripts)
  GNT_HOOKS_ABORT: def<{ opcode: S; failures: readonly HookFailure[] }>(null,
    (a) => `pre hooks of ${a.opcode} failed: ${a.failures.map(([node, script, output]) => `node ${node}, script ${script}, ${output ? `output: ${output}` : '(no output)'}`).join('; ')}`),
  GNT_HOOKS_FAILURE: def<{ opcode: S; reason: S }>(null,
    (a) => `hooks of ${a.opcode} could not be run: ${a.reason}`),
  GNT_HOOKS_PATH_INVALID: def<{ hpath: S }>('ECODE_INVAL',
    (a) => `invalid hooks path '${a.hpath}': it must match ^[a-zA-Z0-9_-]+$`),

  // last resort
  GNT_INTERNAL: def<{ reason: S }>('ECODE_FAULT', (a) => `internal error: ${a.reason}`),
});

export type ErrorCode = keyof typeof ERROR_CATALOG;
export type ErrorArgs<C extends ErrorCode> = Parameters<(typeof ERROR_CATALOG)[C]['message']>[0];
