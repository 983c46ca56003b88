import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig, Node } from '../../config/index.js';
import { candidateStats, nodesToPromote, setCandidate, setCandidateCert, shouldSelfPromote } from '../../cluster/candidates.js';
import { LogicalUnit, type HookEnvValue, type HookNodes } from '../logical-unit.js';
import type { OpNodeSetParams } from '../opcodes/definitions.js';
import {
  checkIpv4,
  forceNdparams,
  distributeNow,
  instancesOn,
  logInfo,
  logWarning,
  nodeCertDigest,
  promotionDigests,
  pyBool,
  requireNode,
  rpcNode,
  updatedParams,
  type NodeView,
} from './node-common.js';

const OP = 'OP_NODE_SET_PARAMS';

/** A node's role: one of its three flags set, or none (Ganeti's _F2R). */
type Role = 'candidate' | 'drained' | 'offline' | 'regular';
const FLAGS = ['master_candidate', 'drained', 'offline'] as const;
const roleOf = (n: Pick<Node, (typeof FLAGS)[number]>): Role => (n.master_candidate ? 'candidate' : n.drained ? 'drained' : n.offline ? 'offline' : 'regular');
const flagsOf = (r: Role) => ({ master_candidate: r === 'candidate', drained: r === 'drained', offline: r === 'offline' });

/**
 * OP_NODE_SET_PARAMS (`gnt-node modify`, Ganeti's LUNodeSetParams): the role flags
 * (master_candidate, drained, offline: at most one set at a time), master_capable,
 * vm_capable, secondary_ip and ndparams. Ganeti's rules: the master's role changes only by
 * failover; offline, drained or not master capable demote a candidate, which needs
 * `auto_promote` when the pool would fall short (the pool is then refilled); a node coming
 * back (undrained, onlined, master capable again) promotes itself if the pool has room;
 * a node leaving offline must answer. The result is Ganeti's list of `[param, new value]`.
 */
export class NodeSetParamsUnit extends LogicalUnit<OpNodeSetParams> {
  override readonly hookPath = 'node-modify';
  override readonly hookType = 'NODE' as const;
  #node!: NodeView;
  #mc: boolean | null = null;
  #drained: boolean | null = null;
  #offline: boolean | null = null;
  #oldRole: Role = 'regular';
  #newRole: Role = 'regular';
  #mightDemote = false;
  #ndparams: Record<string, unknown> | null = null;
  #ndUpdate: Record<string, unknown> | null = null;

  override checkArguments(): void {
    const op = this.op;
    const mods = [op.offline, op.master_candidate, op.drained, op.master_capable, op.vm_capable, op.secondary_ip, op.ndparams, op.hv_state, op.disk_state, op.powered];
    if (mods.every((m) => m === null)) throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: '(modifications)', problem: 'are missing: pass at least one modification' });
    if ([op.offline, op.master_candidate, op.drained].filter((f) => f === true).length > 1)
      throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'master_candidate/drained/offline', problem: "can't set the node into more than one state at the same time" });
    if (op.secondary_ip !== null) checkIpv4(OP, 'secondary_ip', op.secondary_ip);
    if (op.ndparams) this.#ndUpdate = forceNdparams(OP, op.ndparams);
    this.#mc = op.master_candidate;
    this.#drained = op.drained;
    this.#offline = op.offline;
    this.#mightDemote = op.master_candidate === false || op.offline === true || op.drained === true || op.master_capable === false;
  }

  override async checkPrereq(): Promise<void> {
    const data = this.#data();
    const op = this.op;
    const node = (this.#node = requireNode(data, op.node_name, op.node_uuid));
    const isMaster = node.uuid === data.cluster.master_node;
    if ((op.master_candidate !== null || op.drained !== null || op.offline !== null) && isMaster)
      throw new GanetiError('GNT_NODE_IS_MASTER', { node: node.name, problem: 'its role can be changed only via master-failover' });
    if (op.master_capable === false && isMaster) throw new GanetiError('GNT_NODE_IS_MASTER', { node: node.name, problem: 'it must stay master capable' });
    if (op.master_candidate === true && !node.master_capable) throw new GanetiError('GNT_NODE_STATE', { node: node.name, problem: 'it is not master capable, cannot make it a master candidate' });
    if (op.vm_capable === false && instancesOn(data, node.uuid).length > 0) throw new GanetiError('GNT_NODE_STATE', { node: node.name, problem: 'it hosts instances, cannot unset the vm_capable flag' });
    if (op.powered !== null) throw new GanetiError('GNT_NODE_STATE', { node: node.name, problem: 'unable to change its powered state: it does not support out-of-band handling' });

    if (node.master_candidate && this.#mightDemote && !op.auto_promote) {
      const s = candidateStats(data, [node.uuid]);
      if (s.now < s.should)
        throw new GanetiError('GNT_NODE_STATE', { node: node.name, problem: 'not enough master candidates, please pass auto promote option to allow promotion (--auto-promote or RAPI auto_promote=True)' });
    }

    this.#oldRole = roleOf(node);
    for (const flag of FLAGS) {
      const key = flag === 'master_candidate' ? 'mc' : flag;
      const want = key === 'mc' ? this.#mc : key === 'drained' ? this.#drained : this.#offline;
      if (want === false && node[flag] === false) {
        logInfo(this.ctx, `Ignoring request to unset flag ${flag}, already unset`);
        if (key === 'mc') this.#mc = null;
        else if (key === 'drained') this.#drained = null;
        else this.#offline = null;
      }
    }
    if ((this.#drained === false || this.#offline === false || (op.master_capable === true && !node.master_capable)) && shouldSelfPromote(data)) {
      this.#mc = true;
      logInfo(this.ctx, 'Auto-promoting node to master candidate');
    }
    if (op.master_capable === false && node.master_candidate) {
      logInfo(this.ctx, 'Demoting from master candidate');
      this.#mc = false;
    }
    if (this.#mc) this.#newRole = 'candidate';
    else if (this.#drained) this.#newRole = 'drained';
    else if (this.#offline) this.#newRole = 'offline';
    else if ([this.#mc, this.#drained, this.#offline].includes(false)) this.#newRole = 'regular';
    else this.#newRole = this.#oldRole;

    if (this.#oldRole === 'offline' && this.#newRole !== 'offline') {
      const [r] = await (await this.ctx.rpc()).call('version', [rpcNode(node, false)]);
      if (!r || !r.success) throw new GanetiError('GNT_NODE_STATE', { node: node.name, problem: `it is being de-offlined but fails to report its version: ${r?.success === false ? r.error : 'no answer'}` });
      logWarning(this.ctx, 'Transitioning node from offline to online state without using re-add. Please make sure the node is healthy!');
    }

    if (op.secondary_ip !== null) {
      const master = data.nodes[data.cluster.master_node]!;
      const single = master.secondary_ip === master.primary_ip;
      if (single && op.secondary_ip !== node.primary_ip && !(op.force && isMaster))
        throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'secondary_ip', problem: 'changing it on a single-homed cluster requires the force option and the master as target' });
      if (!single && op.secondary_ip === node.primary_ip && !(op.force && isMaster))
        throw new GanetiError('GNT_OPCODE_INVALID', { opcode: OP, field: 'secondary_ip', problem: 'cannot be the primary address on a multi-homed cluster, unless forced on the master' });
      for (const n of Object.values(data.nodes))
        if (n.uuid !== node.uuid && (n.primary_ip === op.secondary_ip || n.secondary_ip === op.secondary_ip))
          throw new GanetiError('GNT_NODE_IP_CONFLICT', { field: 'secondary_ip', ip: op.secondary_ip, node: n.name });
    }
    if (this.#ndUpdate) this.#ndparams = updatedParams(node.ndparams, this.#ndUpdate);
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    const op = this.op;
    return {
      OP_TARGET: this.#node.name,
      MASTER_CANDIDATE: pyBool(op.master_candidate),
      OFFLINE: pyBool(op.offline),
      DRAINED: pyBool(op.drained),
      MASTER_CAPABLE: pyBool(op.master_capable),
      VM_CAPABLE: pyBool(op.vm_capable),
    };
  }

  override hooksNodes(): HookNodes {
    const nodes = [...new Set([this.#data().cluster.master_node, this.#node.uuid])];
    return { pre: nodes, post: nodes };
  }

  async exec(): Promise<[string, string][]> {
    const op = this.op;
    const node = this.#node;
    const result: [string, string][] = [];
    const roleChanges = this.#newRole !== this.#oldRole;
    const rpc = await this.ctx.rpc();
    const newFlags = flagsOf(this.#newRole);

    // a new candidate needs its certificate digest; demotions may need others promoted
    const digest = roleChanges && this.#newRole === 'candidate' ? await nodeCertDigest(rpc, { ...node, offline: false }) : null;
    const change: Partial<Node> = { ...(roleChanges ? newFlags : {}), ...(op.master_capable !== null ? { master_capable: op.master_capable } : {}) };
    const promote = op.auto_promote && this.#mightDemote ? nodesToPromote(this.#data(), [node.uuid], { [node.uuid]: change }) : [];
    const digests = await promotionDigests(this.ctx, rpc, promote);

    for (const attr of ['master_capable', 'vm_capable'] as const) if (op[attr] !== null) result.push([attr, pyBool(op[attr])]);
    if (op.secondary_ip !== null) result.push(['secondary_ip', op.secondary_ip]);
    if (roleChanges) {
      const oldFlags = flagsOf(this.#oldRole);
      for (const f of FLAGS) if (oldFlags[f] !== newFlags[f]) result.push([f, pyBool(newFlags[f])]);
    }

    await this.ctx.config!.update((txn) => {
      const n = txn.edit('nodes', node.uuid);
      if (this.#ndparams) n.ndparams = this.#ndparams;
      if (op.hv_state) n.hv_state_static = { ...(n.hv_state_static ?? {}), ...(structuredClone(op.hv_state) as Node['hv_state_static']) };
      if (op.disk_state) n.disk_state_static = { ...(n.disk_state_static ?? {}), ...(structuredClone(op.disk_state) as Node['disk_state_static']) };
      if (op.master_capable !== null) n.master_capable = op.master_capable;
      if (op.vm_capable !== null) n.vm_capable = op.vm_capable;
      if (op.secondary_ip !== null) n.secondary_ip = op.secondary_ip;
      if (roleChanges) {
        Object.assign(n, newFlags);
        if (this.#newRole === 'candidate') setCandidateCert(txn, node.uuid, digest);
        if (this.#oldRole === 'candidate') setCandidateCert(txn, node.uuid, null);
      }
      for (const [uuid, d] of digests) setCandidate(txn, uuid, d);
    });
    if (digests.size) logInfo(this.ctx, `Promoted nodes to master candidate role: ${promote.filter((n) => digests.has(n.uuid)).map((n) => n.name).join(', ')}`);

    // told only after the configuration says so: it gets no more config.data updates
    if (roleChanges && this.#oldRole === 'candidate' && this.#newRole !== 'offline') {
      const [r] = await rpc.call('node_demote_from_mc', [rpcNode(node, false)]);
      if (r && !r.success) logWarning(this.ctx, `Node failed to demote itself: ${r.error}`);
    }
    await distributeNow(this.ctx, rpc);
    return result;
  }

  #data(): FrozenConfig {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    return this.ctx.config.data;
  }
}
