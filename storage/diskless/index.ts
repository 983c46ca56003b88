/** Built-in plugin: the `diskless` disk template. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { disklessStorage } from './diskless-storage.js';

export default definePlugin({
  name: 'builtin:storage/diskless',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register('diskless', disklessStorage);
  },
});
