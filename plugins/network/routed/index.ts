/** Built-in plugin: the `routed` NIC mode (see README.md). */
import { PLUGIN_API_VERSION, definePlugin } from '../../../core/index.js';
import { routed } from './provider.js';

export default definePlugin({
  name: 'builtin:plugins/network/routed',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.networks.register('routed', routed);
  },
});
