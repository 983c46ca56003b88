/** Built-in plugin: Xen domains through the xl toolstack, registered as `xen-pvm` and `xen-hvm`. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { createXen } from './xen-hypervisor.js';

export default definePlugin({
  name: 'builtin:hypervisors/xen',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.hypervisors.register('xen-pvm', createXen('xen-pvm'));
    host.hypervisors.register('xen-hvm', createXen('xen-hvm'));
  },
});
