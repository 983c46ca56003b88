/** Built-in plugin: chrooted processes, registered as `chroot`. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { chrootHypervisor } from './chroot-hypervisor.js';

export default definePlugin({
  name: 'builtin:hypervisors/chroot',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.hypervisors.register('chroot', chrootHypervisor);
  },
});
