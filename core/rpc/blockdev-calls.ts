/**
 * The block-device procedures (Ganeti's lib/rpc_defs.py block device calls, interfaces §9.2):
 * names, argument order and timeouts as Ganeti has them. Disks travel in their wire form
 * (core/storage/disk-wire.ts). Instances are not in the config yet, so where Ganeti passes
 * an instance (assemble's owner) the argument also takes a name or null.
 */
import type { JsonSchema, RpcArgDef, RpcCallDef } from './calls.js';
import { WIRE_DISK_SCHEMA } from '../storage/disk-wire.js';

const arg = (name: string, schema: JsonSchema, hint: string): RpcArgDef => Object.freeze({ name, schema, hint });
const disk = (name = 'disk') => arg(name, WIRE_DISK_SCHEMA, 'a disk object (Ganeti\'s Disk dict, params filled)');
const disks = arg('disks', { type: 'array', items: WIRE_DISK_SCHEMA }, 'a list of disk objects');
const bool = (name: string) => arg(name, { type: 'boolean' }, 'a boolean');
const owner = arg('owner', { type: ['string', 'object', 'null'] }, 'the owning instance (name or object) or null');
const STATUS = 'a BlockDevStatus {dev_path, major, minor, sync_percent, estimated_time, is_degraded, ldisk_status}';

export const BLOCKDEV_RPC_CALLS: readonly RpcCallDef[] = Object.freeze([
  {
    name: 'blockdev_create', kind: 'single', timeout: 'NORMAL',
    args: [disk('bdev'), arg('size', { type: 'integer', minimum: 0 }, 'a size in MiB'), owner, bool('on_primary'), arg('info', { type: 'string' }, 'metadata text'), bool('excl_stor')],
    result: 'the logical id of the created device', description: 'Request creation of a given block device',
  },
  {
    name: 'blockdev_assemble', kind: 'single', timeout: 'NORMAL',
    args: [disk(), owner, bool('on_primary'), arg('idx', { type: 'integer', minimum: 0 }, 'the disk index')],
    result: '[device path or null, link name or null, [userspace URIs]]', description: 'Request assembling of a given block device',
  },
  { name: 'blockdev_shutdown', kind: 'single', timeout: 'NORMAL', args: [disk()], result: 'null', description: 'Request shutdown of a given block device' },
  { name: 'blockdev_remove', kind: 'single', timeout: 'NORMAL', args: [disk('bdev')], result: 'null', description: 'Request removal of a given block device' },
  { name: 'blockdev_find', kind: 'single', timeout: 'FAST', args: [disk()], result: `null when the device is not active, else ${STATUS}`, description: 'Request identification of a given block device' },
  {
    name: 'blockdev_getmirrorstatus', kind: 'single', timeout: 'NORMAL', args: [disks],
    result: `a list of [success, ${STATUS} or an error message], one per disk`, description: 'Request status of a (mirroring) device',
  },
  {
    name: 'blockdev_getdimensions', kind: 'single', timeout: 'NORMAL', args: [disks],
    result: 'a list of [size in bytes, spindles] or null (device not active), one per disk', description: 'Request returning of block device size',
  },
  {
    name: 'blockdev_grow', kind: 'single', timeout: 'NORMAL',
    args: [disk('cf_bdev'), arg('amount', { type: 'integer' }, 'MiB to add'), bool('dryrun'), bool('backingstore'), bool('es_flag')],
    result: 'null', description: 'Request growing of a device',
  },
  { name: 'blockdev_setinfo', kind: 'single', timeout: 'NORMAL', args: [disk(), arg('info', { type: 'string' }, 'metadata text')], result: 'null', description: 'Sets metadata information on a given block device' },
  {
    name: 'blockdev_open', kind: 'single', timeout: 'NORMAL',
    args: [arg('instance_name', { type: 'string' }, 'an instance or owner name'), disks, bool('exclusive')],
    result: 'null', description: 'Opens devices for I/O on this node',
  },
  {
    name: 'blockdev_close', kind: 'single', timeout: 'NORMAL',
    args: [arg('instance_name', { type: 'string' }, 'an instance or owner name'), disks],
    result: 'null', description: 'Closes the given block devices',
  },
  {
    name: 'blockdev_rename', kind: 'single', timeout: 'NORMAL',
    args: [arg('devlist', { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: [WIRE_DISK_SCHEMA, { type: 'array' }] } }, 'a list of [disk, new logical id]')],
    result: 'null', description: 'Request rename of the given block devices',
  },
  {
    name: 'blockdev_snapshot', kind: 'single', timeout: 'NORMAL',
    args: [disk('cdev'), arg('snap_name', { type: ['string', 'null'] }, 'a snapshot name or null'), arg('snap_size', { type: ['integer', 'null'] }, 'MiB or null')],
    result: 'the logical id of the snapshot', description: 'Export a given disk to another node',
  },
  // internally mirrored disks (drbd): replace-disks and migration
  {
    name: 'blockdev_addchildren', kind: 'single', timeout: 'NORMAL', args: [disk('bdev'), arg('ndevs', { type: 'array', items: WIRE_DISK_SCHEMA }, 'the new children (assembled here first)')],
    result: 'null', description: 'Request adding a list of children to a (mirroring) device',
  },
  {
    name: 'blockdev_removechildren', kind: 'single', timeout: 'NORMAL', args: [disk('bdev'), arg('ndevs', { type: 'array', items: WIRE_DISK_SCHEMA }, 'the children to detach')],
    result: 'null', description: 'Request removing a list of children from a (mirroring) device',
  },
  { name: 'drbd_disconnect_net', kind: 'single', timeout: 'NORMAL', args: [disks], result: 'null', description: 'Disconnects the network of the given drbd devices' },
  {
    name: 'drbd_attach_net', kind: 'single', timeout: 'NORMAL', args: [disks, bool('multimaster')],
    result: 'null', description: 'Connects the given DRBD devices',
  },
  {
    name: 'drbd_wait_sync', kind: 'single', timeout: 'SLOW', args: [disks],
    result: '[all done (boolean), lowest resync percent of the devices still syncing or null]', description: 'Waits for the synchronization of drbd devices is complete',
  },
] satisfies RpcCallDef[]);
