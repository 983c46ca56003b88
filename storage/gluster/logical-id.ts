/**
 * The logical id of a gluster disk (interfaces §10.1): `[driver, path]`, where the path is
 * relative to the volume's root (Ganeti makes `ganeti/<instance uuid>.<index>`): the same
 * name serves the FUSE mount on a node and the gfapi URI. It comes from the master, so it
 * is checked before use: relative and normalized, so that it cannot climb out of the volume.
 */
import { isAbsolute, normalize } from 'node:path';
import { FILE_DRIVERS, GanetiError, type DiskSpec, type FileDriver, type LogicalId } from '../../core/index.js';

export const TEMPLATE = 'gluster';

export const invalidDisk = (disk: string, reason: string): GanetiError =>
  new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk, reason });

/** The disk's path inside the volume, checked. */
export function parseGlusterId(id: LogicalId, disk: string): string {
  if (!Array.isArray(id) || id.length !== 2) throw invalidDisk(disk, `the logical id must be [driver, path], not ${JSON.stringify(id)}`);
  const [driver, path] = id as unknown[];
  if (!FILE_DRIVERS.includes(driver as FileDriver)) throw invalidDisk(disk, `unknown file driver ${JSON.stringify(driver)} (known: ${FILE_DRIVERS.join(', ')})`);
  if (typeof path !== 'string' || path === '' || isAbsolute(path) || path.includes('\0') || normalize(path) !== path || path.startsWith('..') || path.endsWith('/'))
    throw invalidDisk(disk, `the path ${JSON.stringify(path)} is not a normalized path inside the volume (relative, without '..')`);
  return path;
}

export const volumePath = (spec: DiskSpec): string => parseGlusterId(spec.logicalId, spec.uuid);
