/**
 * The environment of an ExtStorage script (interfaces §2.2), on top of the node daemon's
 * whole environment (Ganeti does not reset it for these scripts). Which variables an action
 * gets is Ganeti's choice, kept exactly: VOL_CNAME/VOL_UUID on every action but snapshot,
 * VOL_SIZE on create and grow, VOL_NEW_SIZE on grow, VOL_METADATA on setinfo, the snapshot
 * pair on snapshot, VOL_OPEN_EXCLUSIVE on open.
 */
import { pyStr, type DiskSpec, type Params } from '../../core/index.js';

export { pyStr };
import type { ExtAction } from './scripts.js';
import type { ExtId } from './logical-id.js';

/** What an action passes besides the volume itself. */
export interface ActionValues {
  readonly size?: number;
  readonly newSize?: number;
  readonly metadata?: string;
  readonly snapshotName?: string;
  readonly snapshotSize?: number;
  readonly exclusive?: boolean;
}


/**
 * `EXTP_<NAME>` for each disk parameter, the name only upper-cased (no `-`→`_`), as Ganeti.
 * Ganeti hands the script the disk's filled parameters, its template's own `access`
 * included (EXTP_ACCESS), so this does too.
 */
export function extParamsEnv(params: Params): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) env[`EXTP_${name.toUpperCase()}`] = pyStr(value);
  return env;
}

export function actionEnv(action: ExtAction, spec: DiskSpec, id: ExtId, v: ActionValues = {}): Record<string, string> {
  const env: Record<string, string> = { VOL_NAME: id.volume, ...extParamsEnv(spec.params) };
  if (v.size !== undefined) env['VOL_SIZE'] = String(v.size);
  if (v.newSize !== undefined) env['VOL_NEW_SIZE'] = String(v.newSize);
  if (v.metadata !== undefined) env['VOL_METADATA'] = v.metadata;
  if (action !== 'snapshot') {
    if (spec.name !== null && spec.name !== undefined) env['VOL_CNAME'] = spec.name;
    env['VOL_UUID'] = spec.uuid;
  }
  if (v.snapshotName !== undefined) env['VOL_SNAPSHOT_NAME'] = v.snapshotName;
  if (v.snapshotSize !== undefined) env['VOL_SNAPSHOT_SIZE'] = String(v.snapshotSize);
  if (v.exclusive !== undefined) env['VOL_OPEN_EXCLUSIVE'] = pyStr(v.exclusive);
  return env;
}
