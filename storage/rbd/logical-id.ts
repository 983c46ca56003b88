/**
 * The logical id of an rbd disk (interfaces §10.1): `['rbd', name]`, the image name in the
 * pool given by the disk parameter `pool`. Both come from the master and end up in `rbd`
 * argv and in qemu option strings, so they are checked first: a `/` or `@` would make rbd
 * read another pool or a snapshot, a leading `-` an option, a comma a second qemu option.
 */
import { GanetiError, type DiskSpec, type LogicalId } from '../../core/index.js';

export const TEMPLATE = 'rbd';
export const RBD_DRIVER = 'rbd';

/** A RADOS pool or image name safe in rbd argv and qemu URIs. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
const MAX_NAME = 255;

export const isSafeName = (s: unknown): s is string => typeof s === 'string' && s.length <= MAX_NAME && SAFE_NAME.test(s);

export const invalidDisk = (disk: string, reason: string): GanetiError =>
  new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk, reason });

/** The image name of a disk's logical id, checked. */
export function parseRbdId(id: LogicalId, disk: string): string {
  if (!Array.isArray(id) || id.length !== 2) throw invalidDisk(disk, `the logical id must be ['rbd', name], not ${JSON.stringify(id)}`);
  const [driver, name] = id as unknown[];
  if (driver !== RBD_DRIVER) throw invalidDisk(disk, `the logical id's driver must be 'rbd', not ${JSON.stringify(driver)}`);
  if (!isSafeName(name))
    throw invalidDisk(disk, `the image name ${JSON.stringify(name)} must be 1-${MAX_NAME} letters, digits or '_.+-', not starting with '.', '+' or '-'`);
  return name;
}

export const imageName = (spec: DiskSpec): string => parseRbdId(spec.logicalId, spec.uuid);
