/** Built-in plugin: the `sharedfile` disk template and its `sharedfile` storage unit. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { TEMPLATE } from './logical-id.js';
import { sharedFileStorage } from './sharedfile-storage.js';

export default definePlugin({
  name: 'builtin:storage/sharedfile',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register(TEMPLATE, sharedFileStorage);
  },
});
