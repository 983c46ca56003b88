/** Built-in plugin: the `bridged` NIC mode (see README.md). */
import { PLUGIN_API_VERSION, definePlugin } from '../../../core/index.js';
import { bridged } from './provider.js';

export default definePlugin({
  name: 'builtin:plugins/network/bridged',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.networks.register('bridged', bridged);
  },
});
