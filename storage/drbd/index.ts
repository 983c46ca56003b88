/** Built-in plugin: the `drbd` disk template (DRBD 8.4 network mirror over two LVs). */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { drbdStorage } from './drbd-storage.js';
import { TEMPLATE } from './logical-id.js';

export { drbdDynParams, type DrbdDynParams } from './dyn-params.js';

export default definePlugin({
  name: 'builtin:storage/drbd',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.storage.register(TEMPLATE, drbdStorage);
  },
});
