/** Built-in plugin: qemu/KVM instances driven over QMP, registered as `kvm`. */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { kvmHypervisor } from './kvm-hypervisor.js';
import { HV_NAME } from './runtime-files.js';

export default definePlugin({
  name: 'builtin:hypervisors/kvm',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.hypervisors.register(HV_NAME, kvmHypervisor);
  },
});
