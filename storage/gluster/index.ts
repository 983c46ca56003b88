/** Built-in plugin: the `gluster` disk template (disk files on a Gluster volume). */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { glusterStorage } from './gluster-storage.js';
import { TEMPLATE } from './logical-id.js';

export default definePlugin({
  name: 'builtin:storage/gluster',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register(TEMPLATE, glusterStorage);
  },
});
