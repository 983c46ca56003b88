/** Built-in plugin: the `openvswitch` NIC mode (see README.md). */
import { PLUGIN_API_VERSION, definePlugin } from '../../../core/index.js';
import { openvswitch } from './provider.js';

export default definePlugin({
  name: 'builtin:plugins/network/openvswitch',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.networks.register('openvswitch', openvswitch);
  },
});
