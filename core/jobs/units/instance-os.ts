import type { InstanceView } from '../../instance/runtime.js';
import type { UnitContext } from '../logical-unit.js';

/**
 * The seam where OS provider scripts will run on the primary (Ganeti's instance_os_add for
 * reinstall, instance_run_rename for rename). The OS providers arrive with issue 7; until
 * then the no-op OS installs nothing, and these say so in the job log.
 */
export async function runOsCreate(ctx: UnitContext, inst: InstanceView, os: string, _reinstall: boolean): Promise<void> {
  ctx.feedback(`* running the instance OS create scripts... (OS '${os}' of ${inst.name}: nothing to run, OS providers are not wired yet)`);
}

export async function runOsRename(ctx: UnitContext, inst: InstanceView, oldName: string): Promise<void> {
  ctx.feedback(`* running the instance OS rename script... (${oldName} -> ${inst.name}: nothing to run, OS providers are not wired yet)`);
}
