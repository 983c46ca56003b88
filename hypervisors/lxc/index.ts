/** Built-in plugin: Linux containers (lxc), registered as `lxc`. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { lxcHypervisor } from './lxc-hypervisor.js';

export default definePlugin({
  name: 'builtin:hypervisors/lxc',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.hypervisors.register('lxc', lxcHypervisor);
  },
});
