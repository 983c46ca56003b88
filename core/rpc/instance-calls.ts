/**
 * The instance procedures (Ganeti's lib/rpc_defs.py instance calls, interfaces §9.2), with
 * Ganeti's names and argument order. The instance travels as its runtime view (HvInstance,
 * parameters filled on the master); where the node must assemble disks (start, reboot,
 * accept) the disks travel too, in their wire form.
 */
import type { JsonSchema, RpcArgDef, RpcCallDef } from './calls.js';
import { WIRE_DISK_SCHEMA } from '../storage/disk-wire.js';
import { HV_INSTANCE_SCHEMA } from '../instance/runtime.js';

const arg = (name: string, schema: JsonSchema, hint: string): RpcArgDef => Object.freeze({ name, schema, hint });
const instance = arg('instance', HV_INSTANCE_SCHEMA, 'an instance (runtime view, parameters filled)');
const disks = arg('disks', { type: 'array', items: WIRE_DISK_SCHEMA }, 'the instance\'s disks (wire form), in order');
const bool = (name: string) => arg(name, { type: 'boolean' }, 'a boolean');
const reason = arg('reason', { type: 'array' }, 'a reason trail');
const hvList = arg('hypervisor_list', { type: 'array', items: { type: 'string' } }, 'a list of hypervisor names');
const allHvparams = arg('all_hvparams', { type: 'object' }, 'an object mapping hypervisor names to hvparams');
const info = arg('info', { type: 'string' }, 'the migration info from the source');
const INFO = '{name, id, memory, vcpus, state, time}';

export const INSTANCE_RPC_CALLS: readonly RpcCallDef[] = Object.freeze([
  {
    name: 'instance_start', kind: 'single', timeout: 'NORMAL',
    args: [instance, disks, bool('startup_paused'), reason],
    result: 'the HvDisk list the instance was started on', description: 'Starts an instance',
  },
  {
    name: 'instance_shutdown', kind: 'single', timeout: (a) => Math.max(60, Number(a[1]) || 0) + 60,
    args: [instance, arg('timeout', { type: 'number', minimum: 0 }, 'seconds to wait for a soft shutdown'), reason],
    result: '"soft" or "forced": how the instance stopped', description: 'Stops an instance',
  },
  {
    name: 'instance_reboot', kind: 'single', timeout: (a) => Math.max(60, Number(a[3]) || 0) + 300,
    args: [instance, disks, arg('reboot_type', { enum: ['soft', 'hard', 'full'] }, 'soft, hard or full'), arg('shutdown_timeout', { type: 'number', minimum: 0 }, 'seconds'), reason],
    result: 'null', description: 'Reboots an instance',
  },
  {
    name: 'instance_info', kind: 'single', timeout: 'URGENT',
    args: [arg('instance_name', { type: 'string' }, 'an instance name'), arg('hname', { type: 'string' }, 'a hypervisor name'), arg('hvparams', { type: 'object' }, 'hvparams')],
    result: `null when not running here, else ${INFO}`, description: 'Returns information about a single instance',
  },
  {
    name: 'all_instances_info', kind: 'multi', timeout: 'URGENT', args: [hvList, allHvparams],
    result: `an object: instance name → ${INFO}`, description: 'Returns information about all instances on the given nodes',
  },
  {
    name: 'instance_list', kind: 'multi', timeout: 'URGENT', args: [hvList, allHvparams],
    result: 'the names of the instances running on the node', description: 'Returns the list of running instances on the given nodes',
  },
  {
    name: 'instance_balloon_memory', kind: 'single', timeout: 'NORMAL',
    args: [instance, arg('memory', { type: 'integer', minimum: 1 }, 'MiB')], result: 'null', description: 'Sets the memory of a running instance',
  },
  { name: 'migration_info', kind: 'single', timeout: 'NORMAL', args: [instance], result: 'the opaque migration info', description: 'Gather the information necessary to prepare an instance migration' },
  {
    name: 'accept_instance', kind: 'single', timeout: 'NORMAL',
    args: [instance, info, arg('target', { type: 'string' }, 'the target address'), disks],
    result: 'null', description: 'Prepare a node to accept an instance',
  },
  {
    name: 'instance_finalize_migration_dst', kind: 'single', timeout: 'NORMAL',
    args: [instance, info, bool('success')], result: 'null', description: 'Finalize any target-node migration specific operation',
  },
  {
    name: 'instance_migrate', kind: 'single', timeout: 'SLOW',
    args: [arg('cluster_name', { type: 'string' }, 'the cluster name'), instance, arg('target', { type: 'array', minItems: 2, maxItems: 2, items: [{ type: 'string' }, { type: 'string' }] }, '[target node name, target address]'), bool('live')],
    result: 'null', description: 'Migrate an instance',
  },
  {
    name: 'instance_finalize_migration_src', kind: 'single', timeout: 'SLOW',
    args: [instance, bool('success'), bool('live')], result: 'null', description: 'Finalize the instance migration on the source node',
  },
  {
    name: 'instance_get_migration_status', kind: 'single', timeout: 'SLOW', args: [instance],
    result: '{status, transferred_ram, total_ram}', description: 'Report migration status',
  },
  {
    name: 'resize_disk', kind: 'single', timeout: 'NORMAL',
    args: [instance, arg('disk', { type: 'object', required: ['uuid'] }, 'the disk (HvDisk form)'), arg('new_size', { type: 'integer', minimum: 0 }, 'the new size in MiB (the hypervisor contract counts MiB)')],
    result: 'true when the hypervisor was told, false when it has no resizeDisk', description: 'Notify the hypervisor about a disk change',
  },
]);
