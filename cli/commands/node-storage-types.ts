import { GanetiError } from '../../core/errors/index.js';

/** Storage types users may name on gnt-node's command line (Ganeti's _USER_STORAGE_TYPE). */
export const USER_STORAGE_TYPES = Object.freeze(['file', 'lvm-pv', 'lvm-vg', 'sharedfile', 'gluster']);

/** Ganeti's ConvertStorageType: the type itself, or GNT_STORAGE_TYPE_UNKNOWN naming the option. */
export function userStorageType(field: string, type: string): string {
  if (!USER_STORAGE_TYPES.includes(type)) throw new GanetiError('GNT_STORAGE_TYPE_UNKNOWN', { field, type, known: USER_STORAGE_TYPES.join(', ') });
  return type;
}
