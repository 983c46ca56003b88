/**
 * The logical id of a sharedfile disk (interfaces §10.1), shaped as a file disk's:
 * `[driver, path]`. The driver says how Xen attaches the file (`loop`, `blktap`, `blktap2`);
 * the path is the image on the shared folder, the same on every node. The id comes from the
 * master, so the path is checked before use: absolute and normalized, so that it cannot climb
 * out of the folder it names. (Copied from storage/file: plugins may not import each other.)
 */
import { isAbsolute, normalize } from 'node:path';
import { GanetiError, type DiskSpec, type LogicalId } from '../../core/index.js';

export const TEMPLATE = 'sharedfile';
export const FILE_DRIVERS = Object.freeze(['loop', 'blktap', 'blktap2'] as const);
export type FileDriver = (typeof FILE_DRIVERS)[number];

export interface FileId {
  readonly driver: FileDriver;
  readonly path: string;
}

export function parseFileId(id: LogicalId, disk: string): FileId {
  const invalid = (reason: string) => new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk, reason });
  if (!Array.isArray(id) || id.length !== 2) throw invalid(`the logical id must be [driver, path], not ${JSON.stringify(id)}`);
  const [driver, path] = id as unknown[];
  if (!FILE_DRIVERS.includes(driver as FileDriver)) throw invalid(`unknown file driver ${JSON.stringify(driver)} (known: ${FILE_DRIVERS.join(', ')})`);
  if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0') || normalize(path) !== path || path.endsWith('/'))
    throw invalid(`the path ${JSON.stringify(path)} is not an absolute, normalized file path`);
  return { driver: driver as FileDriver, path };
}

/** The file path of a disk, checked. */
export const diskPath = (spec: DiskSpec): string => parseFileId(spec.logicalId, spec.uuid).path;
