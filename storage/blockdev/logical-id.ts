/**
 * The logical id of a blockdev disk (interfaces §10.1): `['manual', path]`, an existing block
 * device the admin adopted (`gnt-instance add -t blockdev --disk 0:adopt=/dev/disk/by-id/...`).
 * Only paths under the allowed prefixes are accepted (Ganeti: /dev/disk/, its persistent udev
 * names), and the path must really resolve inside /dev, so that a symlink cannot point an
 * instance at something else.
 */
import { isAbsolute, normalize } from 'node:path';
import { GanetiError, type LogicalId } from '../../core/index.js';

export const TEMPLATE = 'blockdev';
export const BLOCKDEV_DRIVER_MANUAL = 'manual';
/** Ganeti's adoptable block device root. */
export const DEFAULT_ALLOWED_PREFIXES = Object.freeze(['/dev/disk/']);

export function parseBlockdevId(id: LogicalId, disk: string, allowedPrefixes: readonly string[]): string {
  const invalid = (reason: string) => new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk, reason });
  if (!Array.isArray(id) || id.length !== 2) throw invalid(`the logical id must be ['manual', path], not ${JSON.stringify(id)}`);
  const [driver, path] = id as unknown[];
  if (driver !== BLOCKDEV_DRIVER_MANUAL) throw invalid(`unknown block device driver ${JSON.stringify(driver)} (known: ${BLOCKDEV_DRIVER_MANUAL})`);
  if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0') || normalize(path) !== path || path.endsWith('/'))
    throw invalid(`the path ${JSON.stringify(path)} is not an absolute, normalized device path`);
  if (!allowedPrefixes.some((p) => path.startsWith(p)))
    throw new GanetiError('GNT_BLOCKDEV_PATH_REFUSED', { path, allowed: allowedPrefixes.join(', ') });
  return path;
}
