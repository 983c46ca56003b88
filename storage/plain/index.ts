/** Built-in plugin: the `plain` disk template (LVM) and its `lvm-vg` and `lvm-pv` storage units. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { TEMPLATE } from './logical-id.js';
import { plainStorage } from './plain-storage.js';

export default definePlugin({
  name: 'builtin:storage/plain',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register(TEMPLATE, plainStorage);
  },
});
