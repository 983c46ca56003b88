import { randomUUID } from 'node:crypto';
import { GanetiError } from '../../errors/index.js';
import type { Disk, ParamDict } from '../../config/index.js';
import type { Params } from '../../contracts/params.js';
import { checkDiskOwnParams } from '../../storage/disk-params.js';
import { newLogicalId } from '../../storage/logical-id.js';
import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpDiskCreate } from '../opcodes/definitions.js';
import { diskConfig, payloadOf, requireDiskNode, rpcNode, wireDisk } from './disk-common.js';
import { requireNode, type NodeView } from './node-common.js';

/** Disk spec keys that are not disk parameters: they go into the logical id or the disk object. */
const SPEC_KEYS = ['size', 'mode', 'vg', 'provider', 'adopt', 'spindles', 'name'] as const;

/**
 * OP_DISK_CREATE: makes a detached disk on one node. The device is created first; only when
 * the node reports success is the disk added to the config, so a failure (a provider script
 * exiting non-zero, a timeout) leaves the config as it was, and the node has already undone
 * its part. If the config write itself fails, the new device is removed again.
 */
export class DiskCreateUnit extends LogicalUnit<OpDiskCreate> {
  override readonly requiresBgl = false;
  #params: Params = {};
  #node!: NodeView;

  override checkArguments(): void {
    const t = this.op.disk_template;
    this.ctx.host.storage.entry(t); // GNT_PROVIDER_UNKNOWN lists the templates
    if (this.ctx.host.storage.get(t).mirrored === 'internal') throw new GanetiError('GNT_DISK_TEMPLATE_NEEDS_INSTANCE', { template: t });
    const rest = Object.fromEntries(Object.entries(this.op.disk).filter(([k]) => !(SPEC_KEYS as readonly string[]).includes(k)));
    this.#params = checkDiskOwnParams(this.ctx.host, t, rest);
  }

  override expandNames(): void {
    this.neededLocks = { node: ALL_SET };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    const data = diskConfig(this.ctx);
    const enabled = data.cluster.enabled_disk_templates ?? [];
    if (!enabled.includes(this.op.disk_template))
      throw new GanetiError('GNT_DISK_TEMPLATE_DISABLED', { field: 'disk_template', template: this.op.disk_template, enabled: enabled.join(', ') });
    this.#node = requireNode(data, this.op.node_name);
    requireDiskNode(this.#node);
    this.#checkName();
  }

  #checkName(): void {
    const taken = Object.values(diskConfig(this.ctx).disks).find((d) => d.name === this.op.disk_name || d.uuid === this.op.disk_name);
    if (taken) throw new GanetiError('GNT_DISK_NAME_TAKEN', { field: 'disk_name', name: this.op.disk_name, uuid: taken.uuid });
  }

  async exec(): Promise<string> {
    const data = diskConfig(this.ctx);
    const spec = this.op.disk;
    const str = (k: string) => (typeof spec[k] === 'string' ? (spec[k] as string) : undefined);
    const uuid = randomUUID();
    const disk: Omit<Disk, 'serial_no' | 'ctime' | 'mtime'> = {
      uuid,
      name: this.op.disk_name,
      dev_type: this.op.disk_template,
      logical_id: [...newLogicalId({ template: this.op.disk_template, uuid, index: 0, vg: str('vg'), provider: str('provider'), adopt: str('adopt') }, data.cluster)] as Disk['logical_id'],
      nodes: [this.#node.uuid],
      iv_name: 'disk/0',
      size: spec['size'] as number,
      mode: (spec['mode'] as 'rw' | 'ro' | undefined) ?? 'rw',
      params: this.#params as ParamDict,
      ...(typeof spec['spindles'] === 'number' ? { spindles: spec['spindles'] } : {}),
    };
    const rpc = await this.ctx.rpc();
    const node = rpcNode(this.#node);
    const wire = wireDisk(this.ctx, data, disk, this.#node);
    this.ctx.feedback(`* creating ${disk.dev_type} disk ${this.op.disk_name} (${disk.size} MiB) on node ${this.#node.name}`);
    const excl = Boolean(this.#node.ndparams?.['exclusive_storage'] ?? data.cluster.ndparams?.['exclusive_storage']);
    const id = payloadOf(await rpc.callNode<unknown[]>('blockdev_create', node, [wire, disk.size, null, false, '', excl], { signal: this.ctx.signal }), 'create', disk);
    const created = { ...disk, logical_id: id as Disk['logical_id'] };
    try {
      await this.ctx.config!.update((txn) => {
        this.#checkName(); // a concurrent create may have taken the name meanwhile
        txn.add('disks', created);
      });
    } catch (e) {
      await rpc.callNode('blockdev_remove', node, [{ ...wire, logical_id: id }]).catch(() => undefined);
      throw e;
    }
    return uuid;
  }
}
