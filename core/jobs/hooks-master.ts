import type { HookNode, HookNodeResult, HooksEnv, HooksPhase, HooksTarget, JobContext, OpCodeInput, OpcodeHooksContext } from '../contracts/hooks.js';
import type { FrozenConfig } from '../config/index.js';
import type { PluginHost } from '../plugin-host/host.js';
import type { RpcClient, RpcNode } from '../rpc/index.js';
import type { LogicalUnit } from './logical-unit.js';
import { CONFIG_UPDATE_HOOKS_PATH, GLOBAL_HOOKS_PATH, NOT_APPLICABLE, commonEnv, joinEnv, prefixedVars } from './hooks-env.js';

export interface HooksMasterOptions {
  readonly host: PluginHost;
  readonly lu: LogicalUnit;
  readonly op: OpCodeInput;
  readonly job: JobContext;
  /** The current configuration (re-read for the post phase: post nodes may be new). */
  readonly config: () => FrozenConfig;
  readonly rpc: () => Promise<RpcClient>;
}

/**
 * Ganeti's HooksMaster, minus the running: computes each phase's environments and target
 * nodes from the unit's hook description and hands them to the host hooks `opcodeHooksPre`
 * and `opcodeHooksPost`, whose taps (the hook-scripts plugin) call the nodes. Built after
 * checkPrereq, so the pre environment and both node lists are those of the checked state.
 */
export class HooksMaster {
  readonly #o: HooksMasterOptions;
  readonly #preVars: Record<string, string>;
  readonly #preNodes: readonly string[];
  readonly #postNodes: readonly string[];
  readonly #hpath: string | null;

  constructor(o: HooksMasterOptions) {
    this.#o = o;
    this.#hpath = o.lu.hookPath;
    this.#preVars = this.#hpath ? prefixedVars(o.lu.hooksEnv(), 'GANETI_') : {};
    const nodes = this.#hpath ? o.lu.hooksNodes() : { pre: [], post: [] };
    this.#preNodes = nodes.pre;
    this.#postNodes = nodes.post;
  }

  /** Runs the pre phase; a tap's error (a failed pre hook) propagates and aborts the opcode. */
  async pre(): Promise<void> {
    if (!this.#o.host.hooks.opcodeHooksPre.isUsed()) return;
    const data = this.#o.config();
    const own = this.#resolve(data, this.#preNodes);
    const env = this.#env(data, 'pre', this.#hpath ?? '', this.#preVars);
    const ctx = this.#context('pre', null, this.#hpath ? env : joinEnv(), own, this.#global(data, 'pre', own, this.#preVars, null), null);
    await this.#o.host.hooks.opcodeHooksPre.promise(ctx);
  }

  /**
   * Runs the post phase. After success the unit's variables are computed again and added as
   * GANETI_POST_*; after an error only the global hooks (on the master) and config-update run.
   */
  async post(status: 'success' | 'error', configChanged: boolean): Promise<void> {
    if (!this.#o.host.hooks.opcodeHooksPost.isUsed()) return;
    const data = this.#o.config();
    const ok = status === 'success';
    const postVars = ok && this.#hpath ? { ...this.#preVars, ...prefixedVars(this.#o.lu.hooksEnv(), 'GANETI_POST_') } : this.#preVars;
    const own = ok && this.#hpath ? this.#resolve(data, this.#postNodes) : [];
    const env = this.#hpath ? this.#env(data, 'post', this.#hpath, postVars) : joinEnv();
    const configUpdate: HooksTarget | null = configChanged
      ? { hpath: CONFIG_UPDATE_HOOKS_PATH, phase: 'post', env: this.#env(data, 'post', CONFIG_UPDATE_HOOKS_PATH, this.#preVars), nodes: this.#resolve(data, [data.cluster.master_node]) }
      : null;
    const global = this.#global(data, 'post', own, ok ? postVars : null, status);
    await this.#o.host.hooks.opcodeHooksPost.promise(this.#context('post', status, env, own, global, configUpdate));
  }

  #env(data: FrozenConfig, phase: HooksPhase, hpath: string, vars: Record<string, string>): HooksEnv {
    return joinEnv(commonEnv(this.#common(data, phase, hpath, this.#o.lu.hookType)), vars);
  }

  #common(data: FrozenConfig, phase: HooksPhase, hpath: string, objectType: Parameters<typeof commonEnv>[0]['objectType']) {
    const master = data.nodes[data.cluster.master_node];
    return { opcode: this.#o.op.OP_ID, dataDir: this.#o.host.paths.dataDir, phase, hpath, objectType, cluster: data.cluster.cluster_name, master: master?.name ?? '' };
  }

  /**
   * Global hooks (doc/design-global-hooks.rst): on the opcode's nodes plus the master, with the
   * unit's variables when it has hooks (OBJECT_TYPE NOT_APPLICABLE otherwise), GANETI_JOB_ID and
   * GANETI_IS_MASTER; post adds GANETI_POST_STATUS. After an error: the master only, without
   * the unit's variables and OBJECT_TYPE.
   */
  #global(data: FrozenConfig, phase: HooksPhase, own: readonly HookNode[], vars: Record<string, string> | null, status: 'success' | 'error' | null): HooksTarget[] {
    const failed = status === 'error';
    const objectType = failed ? null : (this.#o.lu.hookType ?? NOT_APPLICABLE);
    const base = {
      ...commonEnv(this.#common(data, phase, GLOBAL_HOOKS_PATH, objectType)),
      ...(vars && !failed ? vars : {}),
      GANETI_JOB_ID: String(this.#o.job.jobId),
      ...(status ? { GANETI_POST_STATUS: status } : {}),
    };
    const master = this.#resolve(data, [data.cluster.master_node]);
    const others = failed ? [] : own.filter((n) => !n.master);
    const targets: HooksTarget[] = [];
    if (master.length) targets.push({ hpath: GLOBAL_HOOKS_PATH, phase, env: joinEnv(base, { GANETI_IS_MASTER: 'master' }), nodes: master });
    if (others.length) targets.push({ hpath: GLOBAL_HOOKS_PATH, phase, env: joinEnv(base, { GANETI_IS_MASTER: 'not_master' }), nodes: others });
    return targets;
  }

  /** Node UUIDs → nodes, in order, without duplicates; UUIDs the config does not know are dropped. */
  #resolve(data: FrozenConfig, uuids: readonly string[]): HookNode[] {
    const seen = new Set<string>();
    const out: HookNode[] = [];
    for (const uuid of uuids) {
      const n = data.nodes[uuid];
      if (!n || seen.has(uuid)) continue;
      seen.add(uuid);
      out.push(Object.freeze({ uuid, name: n.name, address: n.primary_ip, offline: n.offline, master: uuid === data.cluster.master_node }));
    }
    return out;
  }

  #context(
    phase: HooksPhase,
    status: 'success' | 'error' | null,
    env: HooksEnv,
    nodes: readonly HookNode[],
    global: readonly HooksTarget[],
    configUpdate: HooksTarget | null,
  ): OpcodeHooksContext {
    const rpc = this.#o.rpc;
    return Object.freeze({
      opcode: this.#o.op,
      job: this.#o.job,
      phase,
      hpath: this.#hpath,
      htype: this.#o.lu.hookType,
      env,
      nodes,
      status,
      global,
      configUpdate,
      async callNodes<T>(procedure: string, targets: readonly HookNode[], args: readonly unknown[]): Promise<HookNodeResult<T>[]> {
        const client = await rpc();
        const rpcNodes: RpcNode[] = targets.map((n) => ({ name: n.name, address: n.address, offline: n.offline }));
        const results = await client.call<T>(procedure, rpcNodes, args);
        return results.map((r) => (r.success ? { node: r.node, success: true, payload: r.payload } : { node: r.node, success: false, error: r.error, offline: r.offline === true }));
      },
    });
  }
}
