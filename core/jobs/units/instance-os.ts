import { GanetiError } from '../../errors/index.js';
import type { FrozenConfig, ParamDict } from '../../config/index.js';
import type { Params } from '../../contracts/params.js';
import type { InstanceView } from '../../instance/runtime.js';
import { splitOsName } from '../../node/os.js';
import { rpcNode, requireNode, runtimeOf, wireDisks, type NodeView } from './instance-common.js';
import { configData } from './group-params.js';
import type { UnitContext } from '../logical-unit.js';

/**
 * The OS side of instances: checking an OS on nodes before anything is made (Ganeti's
 * CheckOSImage / os_validate), and running the create and rename scripts on the primary
 * (instance_os_add, instance_run_rename). OS parameters are filled as Ganeti's SimpleFillOS
 * does: the cluster's for the OS name, then for name+variant, then the instance's; private
 * ones likewise, in clear text for the scripts.
 */
export function filledOsParams(data: FrozenConfig, os: string, own: Params, ownPrivate: Params = {}): Params {
  const [name] = splitOsName(os);
  const c = data.cluster;
  return {
    ...(c.osparams?.[name] ?? {}), ...(name !== os ? c.osparams?.[os] ?? {} : {}), ...own,
    ...(c.osparams_private_cluster?.[name] ?? {}), ...(name !== os ? c.osparams_private_cluster?.[os] ?? {} : {}), ...ownPrivate,
  };
}

/** Refuses a blacklisted OS (Ganeti: only for new installs, create and reinstall). */
export function checkNotBlacklisted(data: FrozenConfig, os: string): void {
  const [name] = splitOsName(os);
  if (data.cluster.blacklisted_os?.includes(name) || data.cluster.blacklisted_os?.includes(os)) throw new GanetiError('GNT_OS_BLACKLISTED', { os });
}

/**
 * Checks on each node that the OS is there and valid, its variant and parameter names
 * right, and (API 20) that its verify script accepts the parameters. The node's own error
 * (not found, invalid, variant, parameters) is what the user gets.
 */
export async function validateOs(ctx: UnitContext, nodes: readonly NodeView[], os: string, osparams: Params, forceVariant: boolean): Promise<void> {
  const online = nodes.filter((n) => !n.offline);
  if (!online.length) return;
  const rpc = await ctx.rpc();
  const results = await rpc.call<boolean>('os_validate', online.map((n) => rpcNode(n)), [true, os, ['parameters'], osparams, forceVariant], { signal: ctx.signal });
  results.forEach((r, i) => {
    // the node's own words, without the RPC layer's "call ... has failed:" prefix
    if (!r.success) throw new GanetiError('GNT_OS_CHECK_FAILED', { node: online[i]!.name, reason: (r.error ?? 'no answer').replace(/^call '[^']+' to node '[^']+' has failed: /, '') });
  });
}

const osInfo = (data: FrozenConfig, inst: InstanceView) => ({
  osparams: filledOsParams(data, inst.os, inst.osparams as Params, (inst.osparams_private ?? {}) as Params) as ParamDict,
  ctime: inst.ctime,
  mtime: inst.mtime,
});

/** Runs the OS create script on the primary (`gnt-instance add`, `reinstall`); throws its error. */
export async function runOsCreate(ctx: UnitContext, inst: InstanceView, os: string, reinstall: boolean): Promise<void> {
  const data = configData(ctx.config);
  const pnode = requireNode(data, inst.primary_node, inst.primary_node);
  ctx.feedback(`* running the instance OS create scripts...`);
  const rpc = await ctx.rpc();
  const rt = { ...runtimeOf(ctx, data, inst), os };
  const r = await rpc.callNode('instance_os_add', rpcNode(pnode), [rt, wireDisks(ctx, data, inst, pnode), osInfo(data, inst), reinstall, 0], { signal: ctx.signal });
  if (!r?.success) throw new GanetiError('GNT_INSTANCE_FAILED', { instance: inst.name, action: `install OS '${os}' on`, node: pnode.name, reason: r?.error ?? 'no answer' });
}

/** Runs the OS rename script on the primary; a failure is a warning, as in Ganeti (the rename is done). */
export async function runOsRename(ctx: UnitContext, inst: InstanceView, oldName: string): Promise<void> {
  const data = configData(ctx.config);
  const pnode = requireNode(data, inst.primary_node, inst.primary_node);
  ctx.feedback(`* running the instance OS rename script...`);
  const rpc = await ctx.rpc();
  const r = await rpc.callNode('instance_run_rename', rpcNode(pnode), [runtimeOf(ctx, data, inst), wireDisks(ctx, data, inst, pnode), osInfo(data, inst), oldName, 0], { signal: ctx.signal });
  if (!r?.success) ctx.feedback(` - WARNING: could not run the OS rename script for instance ${inst.name} on node ${pnode.name} (but the instance has been renamed in Ganeti): ${r?.error ?? 'no answer'}`);
}
