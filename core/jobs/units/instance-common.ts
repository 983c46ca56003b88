import { GanetiError } from '../../errors/index.js';
import type { DeepReadonly, Disk, FrozenConfig } from '../../config/index.js';
import type { HvDisk, HvInstance } from '../../contracts/hypervisor.js';
import type { RpcResult } from '../../rpc/index.js';
import type { WireDisk } from '../../storage/disk-wire.js';
import { hvInstance, type InstanceView } from '../../instance/runtime.js';
import { filledBeParams, filledHvParams, filledNicParams } from '../../instance/params.js';
import { LogicalUnit, type HookEnvValue, type HookNodes, type UnitContext } from '../logical-unit.js';
import type { OpCode } from '../opcodes/definitions.js';
import { configData } from './group-params.js';
import { requireNode, rpcNode, type NodeView } from './node-common.js';
import { wireDisk } from './disk-common.js';

/** What the instance units share: lookups, the runtime view, disks, RPC results, hooks. */

export function findInstance(data: FrozenConfig, name: string): InstanceView | undefined {
  return data.instances[name] ?? Object.values(data.instances).find((i) => i.name === name);
}

/** The instance by name or UUID; GNT_INSTANCE_UNKNOWN naming the field. */
export function requireInstance(data: FrozenConfig, name: string, field = 'instance_name'): InstanceView {
  const i = findInstance(data, name);
  if (!i) throw new GanetiError('GNT_INSTANCE_UNKNOWN', { field, name });
  return i;
}

export const instanceDisks = (data: FrozenConfig, inst: InstanceView): DeepReadonly<Disk>[] =>
  inst.disks.map((u) => {
    const d = data.disks[u];
    if (!d) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: `lists disk ${u}, which the configuration does not have` });
    return d;
  });

/** The instance's template: that of its first disk, `diskless` without disks. */
export const diskTemplateOf = (data: FrozenConfig, inst: InstanceView): string => data.disks[inst.disks[0] ?? '']?.dev_type ?? 'diskless';

/** Nodes other than the primary that hold the instance's disks (drbd secondaries). */
export function secondaryNodes(data: FrozenConfig, inst: InstanceView): string[] {
  const out = new Set<string>();
  for (const d of instanceDisks(data, inst)) for (const n of d.nodes) if (n !== inst.primary_node) out.add(n);
  return [...out];
}

/** The disks in wire form as `node` sees them (parameters of the node's group). */
export function wireDisks(ctx: UnitContext, data: FrozenConfig, inst: InstanceView, node: NodeView): WireDisk[] {
  return instanceDisks(data, inst).map((d, i) => wireDisk(ctx, data, { ...d, iv_name: `disk/${i}` }, node));
}

export const runtimeOf = (ctx: UnitContext, data: FrozenConfig, inst: InstanceView, primary?: string): HvInstance =>
  hvInstance(ctx.host, data, inst, primary);

/** The payload of a call about an instance, or GNT_INSTANCE_FAILED with the node's message. */
export function instancePayload<T>(r: RpcResult<T> | undefined, action: string, instance: string, node: string): T {
  if (r?.success) return r.payload;
  throw new GanetiError('GNT_INSTANCE_FAILED', { instance, action, node, reason: r?.error ?? 'no answer' });
}

/** The primary must be online to act on the instance (Ganeti's CheckNodeOnline). */
export function requireOnlineNode(node: NodeView, field = 'pnode'): void {
  if (node.offline) throw new GanetiError('GNT_INSTANCE_NODE', { field, node: node.name, problem: 'is offline' });
}

/** Starts the instance on its primary (disks assembled by the node), then records it up unless `noRemember`. */
export async function startInstance(ctx: UnitContext, inst: InstanceView, opts: { paused?: boolean; hvparams?: Record<string, unknown>; beparams?: Record<string, unknown> } = {}): Promise<HvDisk[]> {
  const data = configData(ctx.config);
  const pnode = requireNode(data, inst.primary_node, inst.primary_node);
  await assembleSecondaries(ctx, data, inst);
  const rt = runtimeOf(ctx, data, inst);
  const runtime: HvInstance = { ...rt, hvparams: { ...rt.hvparams, ...(opts.hvparams ?? {}) }, beparams: { ...rt.beparams, ...(opts.beparams ?? {}) } };
  const rpc = await ctx.rpc();
  const r = await rpc.callNode<HvDisk[]>('instance_start', rpcNode(pnode), [runtime, wireDisks(ctx, data, inst, pnode), Boolean(opts.paused), []], { signal: ctx.signal });
  return instancePayload(r, 'start', inst.name, pnode.name);
}

/** Assembles the disks on their other nodes (drbd secondaries), as Ganeti does before a start: the primary's side needs its peer. */
export async function assembleSecondaries(ctx: UnitContext, data: FrozenConfig, inst: InstanceView): Promise<void> {
  const others = [...new Set(instanceDisks(data, inst).flatMap((d) => d.nodes))].filter((n) => n !== inst.primary_node);
  if (others.length === 0) return;
  const rpc = await ctx.rpc();
  for (const nu of others) {
    const node = requireNode(data, nu, nu);
    for (const [idx, w] of wireDisks(ctx, data, inst, node).entries()) {
      const r = await rpc.callNode('blockdev_assemble', rpcNode(node), [w, inst.name, false, idx], { signal: ctx.signal });
      if (!r?.success) throw new GanetiError('GNT_INSTANCE_FAILED', { instance: inst.name, action: `assemble ${w.iv_name ?? `disk/${idx}`} for`, node: node.name, reason: r?.error ?? 'no answer' });
    }
  }
}

/** Shuts the disks down on every node that holds them (Ganeti's ShutdownInstanceDisks); failures are warnings. */
export async function shutdownDisks(ctx: UnitContext, inst: InstanceView): Promise<void> {
  const data = configData(ctx.config);
  const rpc = await ctx.rpc();
  const nodes = [inst.primary_node, ...[...new Set(instanceDisks(data, inst).flatMap((d) => d.nodes))].filter((n) => n !== inst.primary_node)];
  for (const nu of nodes) {
    const node = requireNode(data, nu, nu);
    if (node.offline) continue;
    for (const w of wireDisks(ctx, data, inst, node)) {
      const r = await rpc.callNode('blockdev_shutdown', rpcNode(node), [w], { signal: ctx.signal });
      if (!r?.success) ctx.feedback(` - WARNING: could not shut down ${w.iv_name ?? w.uuid} on ${node.name}: ${r?.error ?? 'no answer'}`);
    }
  }
}

/** Stops the instance on its primary (soft within `timeout` seconds, then forced). */
export async function shutdownInstance(ctx: UnitContext, inst: InstanceView, timeout: number): Promise<'soft' | 'forced'> {
  const data = configData(ctx.config);
  const pnode = requireNode(data, inst.primary_node, inst.primary_node);
  const rpc = await ctx.rpc();
  const r = await rpc.callNode<'soft' | 'forced'>('instance_shutdown', rpcNode(pnode), [runtimeOf(ctx, data, inst), timeout, []], { signal: ctx.signal });
  return instancePayload(r, 'shut down', inst.name, pnode.name);
}

/** Whether the instance runs on its primary (instance_info), null when the node did not answer. */
export async function isRunning(ctx: UnitContext, inst: InstanceView, nodeUuid = inst.primary_node): Promise<boolean | null> {
  const data = configData(ctx.config);
  const node = requireNode(data, nodeUuid, nodeUuid);
  if (node.offline) return null;
  const rpc = await ctx.rpc();
  const r = await rpc.callNode('instance_info', rpcNode(node), [inst.name, inst.hypervisor, filledHvParams(ctx.host, data, inst)], { signal: ctx.signal });
  return r?.success ? r.payload !== null : null;
}

/** Records the admin state (up/down) as the admin asked. */
export async function setAdminState(ctx: UnitContext, inst: InstanceView, state: 'up' | 'down' | 'offline'): Promise<void> {
  await ctx.config!.update((txn) => {
    const i = txn.edit('instances', inst.uuid);
    i.admin_state = state;
    i.admin_state_source = 'admin';
  });
}

/** Ganeti's BuildInstanceHookEnv (interfaces §3.2), without the GANETI_ prefix. */
export function instanceHookEnv(ctx: UnitContext, data: FrozenConfig, inst: InstanceView): Record<string, HookEnvValue> {
  const env: Record<string, HookEnvValue> = {};
  const node = (u: string) => data.nodes[u]?.name ?? u;
  const be = filledBeParams(data, inst);
  const group = data.nodes[inst.primary_node]?.group;
  Object.assign(env, {
    OP_TARGET: inst.name, INSTANCE_NAME: inst.name, INSTANCE_PRIMARY: node(inst.primary_node),
    INSTANCE_SECONDARIES: secondaryNodes(data, inst).map(node).join(' '), INSTANCE_OS_TYPE: inst.os,
    INSTANCE_STATUS: inst.admin_state, INSTANCE_MINMEM: be.minmem, INSTANCE_MAXMEM: be.maxmem, INSTANCE_MEMORY: be.maxmem,
    INSTANCE_VCPUS: be.vcpus, INSTANCE_DISK_TEMPLATE: diskTemplateOf(data, inst), INSTANCE_HYPERVISOR: inst.hypervisor,
    INSTANCE_NIC_COUNT: inst.nics.length, INSTANCE_DISK_COUNT: inst.disks.length, INSTANCE_TAGS: (inst.tags ?? []).join(' '),
  });
  inst.nics.forEach((n, i) => {
    const p = filledNicParams(data, n, group);
    const k = `INSTANCE_NIC${i}_`;
    if (n.name) env[`${k}NAME`] = n.name;
    Object.assign(env, { [`${k}UUID`]: n.uuid, [`${k}IP`]: n.ip ?? '', [`${k}MAC`]: n.mac, [`${k}MODE`]: String(p['mode']), [`${k}LINK`]: String(p['link'] ?? ''), [`${k}VLAN`]: String(p['vlan'] ?? '') });
    if (p['mode'] === 'bridged' || p['mode'] === 'openvswitch') env[`${k}BRIDGE`] = String(p['link'] ?? '');
  });
  instanceDisks(data, inst).forEach((d, i) => {
    const k = `INSTANCE_DISK${i}_`;
    if (d.name) env[`${k}NAME`] = d.name;
    Object.assign(env, { [`${k}SIZE`]: d.size, [`${k}MODE`]: d.mode ?? 'rw', [`${k}UUID`]: d.uuid, [`${k}DEV_TYPE`]: d.dev_type });
  });
  for (const [key, v] of Object.entries(be)) env[`INSTANCE_BE_${key}`] = v as HookEnvValue;
  for (const [key, v] of Object.entries(filledHvParams(ctx.host, data, inst))) env[`INSTANCE_HV_${key}`] = typeof v === 'object' ? JSON.stringify(v) : (v as HookEnvValue);
  return env;
}

/**
 * Base of the units acting on one existing instance: locks it by name (exclusive), its
 * nodes shared; hooks on master, primary and secondaries (Ganeti's default for instance
 * opcodes).
 */
export abstract class InstanceUnit<Op extends OpCode & { instance_name: string }> extends LogicalUnit<Op> {
  override readonly requiresBgl = false;
  override readonly hookType = 'INSTANCE' as const;
  protected inst!: InstanceView;

  override expandNames(): void {
    this.neededLocks = { instance: [this.lockName()], node: 'ALL' };
    this.shareLocks = { node: true };
  }

  /** The instance's lock is named after the instance, whether the opcode gives its name or UUID. */
  protected lockName(): string {
    return findInstance(configData(this.ctx.config), this.op.instance_name)?.name ?? this.op.instance_name;
  }

  override checkPrereq(): void | Promise<void> {
    this.inst = requireInstance(this.data, this.op.instance_name);
  }

  protected get data(): FrozenConfig {
    return configData(this.ctx.config);
  }

  /** The instance as the config has it now (after this unit's own writes). */
  protected fresh(): InstanceView {
    return requireInstance(this.data, this.inst.uuid);
  }

  protected extraHooksEnv(): Record<string, HookEnvValue> {
    return {};
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    const i = findInstance(this.data, this.inst.uuid);
    return { ...(i ? instanceHookEnv(this.ctx, this.data, i) : {}), ...this.extraHooksEnv() };
  }

  override hooksNodes(): HookNodes {
    const all = [this.data.cluster.master_node, this.inst.primary_node, ...secondaryNodes(this.data, this.inst)];
    const uniq = [...new Set(all)];
    return { pre: uniq, post: uniq };
  }
}

export { rpcNode, requireNode, type NodeView };
