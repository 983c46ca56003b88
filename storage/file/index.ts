/** Built-in plugin: the `file` disk template and its `file` storage unit. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { fileStorage } from './file-storage.js';
import { TEMPLATE } from './logical-id.js';

export default definePlugin({
  name: 'builtin:storage/file',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register(TEMPLATE, fileStorage);
  },
});
