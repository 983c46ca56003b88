import { GanetiError } from '../../errors/index.js';
import type { InstanceView } from '../../instance/runtime.js';
import type { UnitContext } from '../logical-unit.js';
import { isRunning } from './instance-common.js';

/**
 * Ganeti's CheckInstanceState: the admin state must be one of `allowed`, and (unless `up`
 * is allowed) the hypervisor must not run it on its primary. `what` ends the message
 * ("cannot rename"). A primary that does not answer counts as running: acting blind could
 * pull disks from under a live guest.
 */
export async function requireInstanceState(ctx: UnitContext, inst: InstanceView, allowed: readonly ('up' | 'down' | 'offline')[], what: string): Promise<void> {
  if (!allowed.includes(inst.admin_state as 'up')) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: `is marked to be ${inst.admin_state}, ${what}` });
  if (allowed.includes('up')) return;
  const running = await isRunning(ctx, inst);
  if (running !== false) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: `is running${running === null ? ' (or its primary node did not answer)' : ''}, ${what}` });
}

/** The instance's hypervisor has hotplug (the fake has none). */
export const hasHotplug = (ctx: UnitContext, inst: InstanceView): boolean =>
  ctx.host.hypervisors.has(inst.hypervisor) && Boolean(ctx.host.hypervisors.get(inst.hypervisor).hotplug);
