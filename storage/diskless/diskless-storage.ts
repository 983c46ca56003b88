/**
 * The `diskless` template: instances without disks. Ganeti gives such instances no disk
 * objects at all, so these methods are only reached by mistake; each does the trivial
 * thing the contract allows, and `assemble`, which must produce a path or a URI, refuses.
 */
import { GanetiError, NO_PARAMS, type StorageProvider } from '../../core/index.js';

export const disklessStorage: StorageProvider = {
  description: 'Instances without disks (boot from the network or an image given by hvparams)',
  params: NO_PARAMS,
  diskTemplate: 'diskless',
  storageType: 'diskless',
  // Ganeti counts diskless among the externally mirrored templates: nothing to copy when
  // an instance moves, so it may migrate or fail over to any node.
  mirrored: 'external',
  fileBased: false,
  supportsSnapshot: false,
  supportsGrow: false,
  userspaceAccess: false,

  async create() {
    return [];
  },
  async attach() {
    return null;
  },
  async assemble(spec) {
    throw new GanetiError('GNT_INTERNAL', { reason: `diskless disk ${spec.iv_name} (${spec.uuid}) has no device to assemble` });
  },
  async shutdown() {},
  async remove() {},
  async syncStatus() {
    return { dev_path: null, major: null, minor: null, sync_percent: null, estimated_time: null, is_degraded: false, ldisk_status: 1 };
  },
  async actualSize() {
    return { size: 0, spindles: null };
  },
};
