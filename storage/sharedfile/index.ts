/**
 * Built-in plugin: the `sharedfile` template (Ganeti's FileStorage on the cluster's shared
 * file storage dir): each disk is a sparse raw image file on a folder every node mounts (NFS,
 * CephFS, a Gluster FUSE mount...), named by its logical id `[driver, path]`. Any node sees
 * the same file, so the disk is externally mirrored: an instance fails over or migrates by
 * opening the file on the other node. Only the folder, the storage type and the mirroring
 * differ from `file`.
 */
import { PLUGIN_API_VERSION, definePlugin, fileImageStorage } from '../../core/index.js';

export const TEMPLATE = 'sharedfile';

export default definePlugin({
  name: 'builtin:storage/sharedfile',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register(
      TEMPLATE,
      fileImageStorage({
        template: TEMPLATE,
        description: 'Disks as sparse raw image files on a folder shared by all nodes (NFS, CephFS, Gluster...)',
        storageType: 'sharedfile',
        mirrored: 'external',
        defaultDir: (paths) => paths.sharedFileStorageDir,
      }),
    );
  },
});
