/** The lxc hypervisor's parameters: Ganeti's names and defaults (interfaces §14.1). */
import type { ParamsSchema } from '../../core/index.js';

export const LXC_PARAMS: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cpu_mask: { type: 'string', default: '', description: 'Host CPUs the container may use (lxc.cgroup.cpuset.cpus); empty: all' },
    devices: { type: 'string', default: 'c 1:3 rw,c 1:5 rw,c 1:7 rw,c 1:8 rw,c 1:9 rw,c 1:10 rw,c 5:0 rw,c 5:1 rw,c 5:2 rw,c 136:* rw', description: 'Devices the container may use (cgroup devices.allow entries, comma-separated)' },
    drop_capabilities: { type: 'string', default: 'mac_override,sys_boot,sys_module,sys_time,sys_admin', description: 'Capabilities dropped in the container (comma-separated)' },
    extra_cgroups: { type: 'string', default: '', description: 'Extra cgroup controllers to set up (comma-separated)' },
    extra_config: { type: 'string', default: '', description: 'Extra lxc.* lines for the container configuration (comma-separated key=value)' },
    num_ttys: { type: 'integer', minimum: 0, default: 6, description: 'Number of ttys of the container' },
    startup_timeout: { type: 'integer', minimum: 1, default: 30, description: 'Seconds to wait for the container to be RUNNING' },
  },
};
