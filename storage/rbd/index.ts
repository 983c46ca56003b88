/** Built-in plugin: the `rbd` disk template (RADOS block devices in a Ceph cluster). */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { TEMPLATE } from './logical-id.js';
import { rbdStorage } from './rbd-storage.js';

export default definePlugin({
  name: 'builtin:storage/rbd',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register(TEMPLATE, rbdStorage);
  },
});
