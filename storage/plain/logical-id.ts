/**
 * The logical id of a plain disk (interfaces §10.1): `[vg, lv]`, an LVM volume group and a
 * logical volume in it. Both names come from the master and end up in argv, so they are
 * checked first: Ganeti's rule (LVM's name characters, minus LVM's reserved names and
 * substrings), plus a name may not be empty or start with `-`, which LVM would read as an
 * option.
 */
import { GanetiError, type DiskSpec, type LogicalId } from '../../core/index.js';

export const TEMPLATE = 'plain';

const VALID_NAME = /^[a-zA-Z0-9+_.-]+$/;
const RESERVED_NAMES = new Set(['.', '..', 'snapshot', 'pvmove']);
const RESERVED_SUBSTRINGS = ['_mlog', '_mimage'];

export interface LvId {
  readonly vg: string;
  readonly lv: string;
}

/** Why `name` is not a usable VG or LV name, or null when it is. */
export function lvmNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || !VALID_NAME.test(name)) return `${JSON.stringify(name)} is not an LVM name (letters, digits and + _ . - only)`;
  if (name.startsWith('-')) return `${JSON.stringify(name)} starts with '-'`;
  if (RESERVED_NAMES.has(name)) return `${JSON.stringify(name)} is reserved by LVM`;
  const sub = RESERVED_SUBSTRINGS.find((s) => name.includes(s));
  if (sub) return `${JSON.stringify(name)} contains ${sub}, reserved by LVM`;
  return null;
}

export function parseLvId(id: LogicalId, disk: string): LvId {
  const invalid = (reason: string) => new GanetiError('GNT_DISK_SPEC_INVALID', { template: TEMPLATE, disk, reason });
  if (!Array.isArray(id) || id.length !== 2) throw invalid(`the logical id must be [vg, lv], not ${JSON.stringify(id)}`);
  const [vg, lv] = id as unknown[];
  const vgProblem = lvmNameProblem(vg);
  if (vgProblem) throw invalid(`volume group name ${vgProblem}`);
  const lvProblem = lvmNameProblem(lv);
  if (lvProblem) throw invalid(`logical volume name ${lvProblem}`);
  return { vg: vg as string, lv: lv as string };
}

/** The checked `[vg, lv]` of a disk. */
export const lvIdOf = (spec: DiskSpec): LvId => parseLvId(spec.logicalId, spec.uuid);

/** How LVM commands name the LV. */
export const lvArg = (id: LvId): string => `${id.vg}/${id.lv}`;

/** The device node LVM (udev) makes for an active LV. */
export const lvDevPath = (id: LvId): string => `/dev/${id.vg}/${id.lv}`;
