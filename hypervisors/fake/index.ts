/** Built-in plugin: Ganeti's fake hypervisor, registered as `fake`. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { fakeHypervisor } from './fake-hypervisor.js';
import { HV_NAME } from './state-files.js';

export default definePlugin({
  name: 'builtin:hypervisors/fake',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.hypervisors.register(HV_NAME, fakeHypervisor);
  },
});
