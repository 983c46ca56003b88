/**
 * Built-in plugin: the `file` template (Ganeti's FileStorage): each disk is a sparse raw image
 * file on the node, named by its logical id `[driver, path]`, in the cluster's file storage
 * dir; its storage unit is that folder. The file operations are core's image-file toolkit,
 * which sharedfile and gluster use too.
 */
import { PLUGIN_API_VERSION, definePlugin, fileImageStorage } from '../../core/index.js';

export const TEMPLATE = 'file';

export default definePlugin({
  name: 'builtin:storage/file',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register(
      TEMPLATE,
      fileImageStorage({
        template: TEMPLATE,
        description: 'Disks as sparse raw image files on the node (not shared between nodes)',
        storageType: 'file',
        mirrored: 'none',
        defaultDir: (paths) => paths.fileStorageDir,
      }),
    );
  },
});
