import { randomUUID } from 'node:crypto';
import { GanetiError, describeError } from '../../errors/index.js';
import type { Disk, Instance, ParamDict } from '../../config/index.js';
import type { HvDisk } from '../../contracts/hypervisor.js';
import { newLogicalId } from '../../storage/logical-id.js';
import { DRBD_TEMPLATE, drbdSecret, newDrbdDisk, reserveDrbd, type DrbdReservation } from '../../storage/drbd-layout.js';
import { checkHostName, mergeBeparams } from '../../cluster/params.js';
import { filledHvParams } from '../../instance/params.js';
import { LogicalUnit, type HookEnvValue, type HookNodes } from '../logical-unit.js';
import type { OpInstanceCreate } from '../opcodes/definitions.js';
import { configData } from './group-params.js';
import { requireNode, rpcNode, type NodeView } from './node-common.js';
import { payloadOf, wireDisk } from './disk-common.js';
import { checkDiskSpecs, buildNics, usedMacs, type DiskRequest } from './instance-specs.js';
import { findInstance, instanceHookEnv, shutdownDisks, startInstance } from './instance-common.js';
import { checkNotBlacklisted, filledOsParams, runOsCreate, validateOs } from './instance-os.js';
import { exportInfo, type ExportInfo } from './export-ini.js';
import { importDisks } from './instance-import.js';
import { checkNicModes } from './instance-nic-modes.js';
import { checkFreeMemory } from './instance-memory.js';
import { commitNicAddresses, planNicAddresses, releaseInstanceAddresses, type NicAddressOptions } from '../../network/nic-addresses.js';

/** Hypervisors whose instances need a cluster-allocated port (Ganeti's HTS_REQ_PORT: console). */
const NEEDS_PORT = new Set(['kvm', 'xen-hvm']);
/** Ganeti's LAST_DRBD_PORT: the end of the cluster's port range. */
const LAST_PORT = 14999;

/**
 * OP_INSTANCE_CREATE (gnt-instance add, create mode). Everything is checked before anything
 * is made (names, nodes, template, hv/be parameters, memory when starting). Then the disks
 * are created on the nodes, the instance enters the config (admin state up when it is to
 * start), and it is started. A failure after the first disk exists undoes the work: disks
 * removed on the nodes and, once added, the instance removed from the config, so a failed
 * add leaves the cluster as it was.
 */
export class InstanceCreateUnit extends LogicalUnit<OpInstanceCreate> {
  override readonly requiresBgl = false;
  override readonly hookPath = 'instance-add';
  override readonly hookType = 'INSTANCE' as const;
  #disks: DiskRequest[] = [];
  #pnode!: NodeView;
  #snode: NodeView | null = null;
  #hypervisor = '';
  #hvparams: ParamDict = {};
  #beparams: ParamDict = {};
  #added: Instance | null = null;

  override checkArguments(): void {
    const op = this.op;
    checkHostName('OP_INSTANCE_CREATE', 'instance_name', op.instance_name);
    this.ctx.host.storage.entry(op.disk_template); // GNT_PROVIDER_UNKNOWN lists the templates
    // an import without disk specs takes the export's (read in checkPrereq)
    if (!(op.mode === 'import' && op.disks.length === 0)) this.#disks = checkDiskSpecs(this.ctx.host, op.disk_template, op.disks);
    if (op.mode === 'import' && !op.src_node) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'src_node', problem: 'an import needs the node holding the export (--src-node)' });
    if (op.mode !== 'import' && !op.os_type && !op.no_install) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'os_type', problem: 'an OS is needed (-o OS), or --no-install' });
    if (!op.pnode && !op.iallocator) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'pnode', problem: 'give the primary node (-n NODE) or an iallocator (-I NAME)' });
    this.#beparams = mergeBeparams('OP_INSTANCE_CREATE', {}, op.beparams);
  }

  override expandNames(): void {
    this.neededLocks = { instance: [this.op.instance_name], node: 'ALL' };
    this.shareLocks = { node: true };
  }

  override async checkPrereq(): Promise<void> {
    const data = configData(this.ctx.config);
    const op = this.op;
    if (findInstance(data, op.instance_name)) throw new GanetiError('GNT_INSTANCE_EXISTS', { name: op.instance_name });
    const enabled = data.cluster.enabled_disk_templates ?? [];
    if (!enabled.includes(op.disk_template))
      throw new GanetiError('GNT_DISK_TEMPLATE_DISABLED', { field: 'disk_template', template: op.disk_template, enabled: enabled.join(', ') });
    if (op.iallocator && !op.pnode) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'iallocator', problem: 'iallocators are not supported yet; give the nodes with -n' });
    this.#pnode = this.#usableNode(op.pnode!, 'pnode');
    const mirrored = this.ctx.host.storage.get(op.disk_template).mirrored === 'internal';
    if (mirrored && !op.snode) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'snode', problem: `the ${op.disk_template} template needs a secondary node (-n PNODE:SNODE)` });
    if (!mirrored && op.snode) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'snode', problem: `the ${op.disk_template} template takes no secondary node` });
    if (op.snode) {
      this.#snode = this.#usableNode(op.snode, 'snode');
      if (this.#snode.uuid === this.#pnode.uuid) throw new GanetiError('GNT_INSTANCE_NODE', { field: 'snode', node: this.#snode.name, problem: 'is the primary node too' });
    }
    if (op.mode === 'import') await this.#readExport();
    this.#hypervisor = op.hypervisor ?? (this.#import && data.cluster.enabled_hypervisors.includes(this.#import.info.hypervisor) ? this.#import.info.hypervisor : undefined) ?? data.cluster.enabled_hypervisors[0] ?? '';
    if (!data.cluster.enabled_hypervisors.includes(this.#hypervisor))
      throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'hypervisor', problem: `'${this.#hypervisor}' is not enabled (enabled: ${data.cluster.enabled_hypervisors.join(', ')})` });
    // hv parameters: syntax by the provider's schema and its own rules, on the filled set
    const provider = this.ctx.host.hypervisors.get(this.#hypervisor);
    this.#hvparams = this.ctx.host.hypervisors.validateParams(this.#hypervisor, op.hvparams, { partial: true }) as ParamDict;
    const filled = this.ctx.host.hypervisors.validateParams(this.#hypervisor, filledHvParams(this.ctx.host, data, { hypervisor: this.#hypervisor, os: this.#os ?? '', hvparams: this.#hvparams, beparams: {} }), { partial: true });
    provider.checkParamsSyntax?.(filled);
    const nics = buildNics(data, this.#nics, usedMacs(data), randomUUID); // the NIC specs, checked now
    planNicAddresses(data, nics, this.#nicAddressOptions()); // --- networks: connection, ip=pool, addresses free and in range
    checkNicModes(this.ctx.host, data, nics, this.#pnode.group);
    if (this.#installs) {
      // the OS on every node of the instance, its variant and parameters (verify script)
      if (!this.#import) checkNotBlacklisted(data, this.#os!);
      const osparams = filledOsParams(data, this.#os!, this.#osparams, op.osparams_private);
      await validateOs(this.ctx, [this.#pnode, ...(this.#snode ? [this.#snode] : [])], this.#os!, osparams, op.force_variant);
    }
  }

  /** The export being imported, read from its node; null for a plain create. */
  #import: { info: ExportInfo; node: NodeView; dir: string } | null = null;

  /** Reads the export (gnt-backup import); what the opcode leaves out comes from it, as in Ganeti. */
  async #readExport(): Promise<void> {
    const node = this.#usableNode(this.op.src_node!, 'src_node');
    const dir = this.op.src_path ?? this.op.instance_name;
    const rpc = await this.ctx.rpc();
    const r = await rpc.callNode<string>('export_info', rpcNode(node), [dir], { signal: this.ctx.signal });
    if (!r?.success) throw new GanetiError('GNT_BACKUP_NOT_FOUND', { what: dir, node: node.name });
    const info = exportInfo(dir, r.payload);
    if (this.op.disks.length === 0) this.#disks = checkDiskSpecs(this.ctx.host, this.op.disk_template, info.disks.map((d) => ({ size: d.size, ...(d.name ? { name: d.name } : {}) })));
    if (this.#disks.length > info.disks.length) throw new GanetiError('GNT_BACKUP_INVALID', { what: dir, problem: `it has ${info.disks.length} disk(s), fewer than the ${this.#disks.length} asked for` });
    this.#beparams = { ...info.beparams, ...this.#beparams };
    this.#import = { info, node, dir };
  }

  /** The OS: the opcode's, or the export's. */
  get #os(): string | null {
    return this.op.os_type ?? this.#import?.info.os ?? null;
  }

  /** NIC specs: the opcode's, or for an import without any, the export's. */
  get #nics() {
    return this.#import && this.op.nics.length === 0 ? this.#import.info.nics : this.op.nics;
  }

  /** OS parameters: the opcode's over the export's. */
  get #osparams() {
    return { ...(this.#import?.info.osparams ?? {}), ...this.op.osparams };
  }

  /** Whether the OS scripts run: create (Ganeti: unless --no-install), or import (always). */
  get #installs(): boolean {
    return this.#import !== null || (!this.op.no_install && Boolean(this.op.os_type));
  }

  /** --- networks: how the NICs get their network's NIC parameters and addresses. */
  #nicAddressOptions(): NicAddressOptions {
    return { group: this.#pnode.group, node: this.#pnode.name, refuseOwnParams: true, feedback: (m) => this.ctx.feedback(m) };
  }

  #usableNode(name: string, field: string): NodeView {
    const n = requireNode(configData(this.ctx.config), name);
    const problem = n.offline ? 'is offline' : n.drained ? 'is drained' : n.vm_capable === false ? 'is not vm_capable' : null;
    if (problem) throw new GanetiError('GNT_INSTANCE_NODE', { field, node: n.name, problem });
    return n;
  }

  override hooksEnv(): Record<string, HookEnvValue> {
    const data = configData(this.ctx.config);
    const inst = this.#added ? findInstance(data, this.#added.uuid) : undefined;
    const base: Record<string, HookEnvValue> = inst
      ? instanceHookEnv(this.ctx, data, inst)
      : { OP_TARGET: this.op.instance_name, INSTANCE_NAME: this.op.instance_name, INSTANCE_PRIMARY: this.#pnode.name, INSTANCE_SECONDARIES: this.#snode?.name ?? '',
          INSTANCE_OS_TYPE: this.#os ?? '', INSTANCE_STATUS: this.op.start ? 'up' : 'down', INSTANCE_DISK_TEMPLATE: this.op.disk_template,
          INSTANCE_HYPERVISOR: this.#hypervisor, INSTANCE_NIC_COUNT: this.#nics.length, INSTANCE_DISK_COUNT: this.#disks.length };
    const imp = this.#import;
    return { ...base, ADD_MODE: this.op.mode, SRC_NODE: imp?.node.name ?? null, SRC_PATH: imp?.dir ?? null, SRC_IMAGES: imp ? imp.info.disks.map((d) => d.dump).join(' ') : '' };
  }

  override hooksNodes(): HookNodes {
    const data = configData(this.ctx.config);
    const nodes = [...new Set([data.cluster.master_node, this.#pnode.uuid, ...(this.#snode ? [this.#snode.uuid] : [])])];
    return { pre: nodes, post: nodes };
  }

  async exec(): Promise<HvDisk[] | null> {
    const op = this.op;
    const data = configData(this.ctx.config);
    if (op.start) await checkFreeMemory(this.ctx, data, this.#pnode, op.instance_name, this.#hypervisor, this.#beparams);
    const uuid = randomUUID();
    try {
      return await this.#make(uuid);
    } finally {
      this.#reservation?.release();
    }
  }

  #reservation: DrbdReservation | null = null;

  async #make(uuid: string): Promise<HvDisk[] | null> {
    const op = this.op;
    const disks = await this.#createDisks(uuid);
    try {
      const nics = buildNics(configData(this.ctx.config), this.#nics, usedMacs(configData(this.ctx.config)), randomUUID);
      await this.ctx.config!.update((txn) => {
        if (findInstance(txn.data, op.instance_name)) throw new GanetiError('GNT_INSTANCE_EXISTS', { name: op.instance_name });
        commitNicAddresses(txn, nics, this.#nicAddressOptions()); // --- networks: reserve the NICs' addresses
        for (const d of disks) txn.add('disks', d);
        const inst: Omit<Instance, 'serial_no' | 'ctime' | 'mtime'> = {
          uuid, name: op.instance_name, primary_node: this.#pnode.uuid, os: this.#os ?? '', hypervisor: this.#hypervisor,
          hvparams: this.#hvparams, beparams: this.#beparams, osparams: this.#osparams as ParamDict, osparams_private: op.osparams_private as ParamDict,
          admin_state: op.start ? 'up' : 'down', admin_state_source: 'admin', nics, disks: disks.map((d) => d.uuid), disks_active: op.start,
          tags: [...op.tags],
        };
        if (NEEDS_PORT.has(this.#hypervisor)) inst.network_port = allocatePort(txn.cluster());
        const drbdPorts = disks.filter((d) => d.dev_type === DRBD_TEMPLATE).map((d) => Number(d.logical_id[2]));
        if (drbdPorts.length) txn.cluster().highest_used_port = Math.max(txn.data.cluster.highest_used_port, ...drbdPorts);
        this.#added = txn.add('instances', inst);
      });
    } catch (e) {
      await this.#removeDisks(disks);
      throw e;
    }
    if (this.#installs && disks.length) {
      // the OS goes onto the disks: a diskless instance has nothing to install (as Ganeti)
      try {
        const inst = findInstance(configData(this.ctx.config), uuid)!;
        if (this.#import) await importDisks(this.ctx, inst, this.#import.info, this.#import.node, this.#import.dir);
        else await runOsCreate(this.ctx, inst, op.os_type!, false);
      } catch (e) {
        this.ctx.feedback(` - WARNING: the OS install failed; removing the instance`);
        await this.#undo(uuid, disks);
        throw e;
      }
      if (!op.start) await shutdownDisks(this.ctx, findInstance(configData(this.ctx.config), uuid)!);
    }
    if (!op.start) return null;
    this.ctx.feedback(`* starting instance...`);
    try {
      return await startInstance(this.ctx, findInstance(configData(this.ctx.config), uuid)!);
    } catch (e) {
      this.ctx.feedback(` - WARNING: the start failed (${describeError(e)}); removing the instance`);
      await this.#undo(uuid, disks);
      throw e;
    }
  }

  /** Removes what #make made: the disks on the nodes, then the disks and the instance from the config. */
  async #undo(uuid: string, disks: readonly Disk[]): Promise<void> {
    await this.#removeDisks(disks);
    await this.ctx.config!.update((txn) => {
      for (const d of disks) if (txn.get('disks', d.uuid)) txn.remove('disks', d.uuid);
      const added = txn.get('instances', uuid);
      if (added) releaseInstanceAddresses(txn, added); // --- networks: give the addresses back
      if (added) txn.remove('instances', uuid);
    });
    this.#added = null;
  }

  /**
   * Creates the disks: on the primary (opened there, tagged with the instance name), and for
   * drbd on the secondary first (its children and the device, not opened). A failure undoes
   * every disk made so far on every node.
   */
  async #createDisks(instUuid: string): Promise<Disk[]> {
    const data = configData(this.ctx.config);
    const made: Disk[] = [];
    const rpc = await this.ctx.rpc();
    const excl = Boolean(this.#pnode.ndparams?.['exclusive_storage'] ?? data.cluster.ndparams?.['exclusive_storage']);
    const drbd = this.op.disk_template === DRBD_TEMPLATE;
    if (drbd) this.#reservation = reserveDrbd(data, this.#disks.flatMap(() => [this.#pnode.uuid, this.#snode!.uuid]), this.#disks.length);
    try {
      for (const [index, r] of this.#disks.entries()) {
        const uuid = randomUUID();
        const now = Date.now() / 1000;
        const disk: Disk = drbd ? this.#drbdDisk(uuid, index, r) : {
          uuid, name: r.name, dev_type: this.op.disk_template, nodes: [this.#pnode.uuid], iv_name: `disk/${index}`, size: r.size, mode: r.mode,
          logical_id: [...newLogicalId({ template: this.op.disk_template, uuid, index, ...(r.vg ? { vg: r.vg } : {}), ...(r.provider ? { provider: r.provider } : {}), ...(r.adopt ? { adopt: r.adopt } : {}) }, data.cluster)] as Disk['logical_id'],
          params: r.params as ParamDict, serial_no: 1, ctime: now, mtime: now, ...(r.spindles !== undefined ? { spindles: r.spindles } : {}),
        };
        const on = drbd ? [this.#snode!, this.#pnode] : [this.#pnode];
        let id: unknown[] = disk.logical_id;
        made.push(disk);
        for (const node of on) {
          const primary = node.uuid === this.#pnode.uuid;
          this.ctx.feedback(`* creating disk ${index} (${this.op.disk_template}, ${r.size} MiB) on ${primary ? 'primary' : 'secondary'} node ${node.name}`);
          const w = wireDisk(this.ctx, data, disk, node);
          id = payloadOf(await rpc.callNode<unknown[]>('blockdev_create', rpcNode(node), [w, r.size, null, primary, `originstname+${this.op.instance_name}`, excl], { signal: this.ctx.signal }), 'create', disk);
        }
        made[made.length - 1] = { ...disk, logical_id: id as Disk['logical_id'] };
      }
      void instUuid;
      return made;
    } catch (e) {
      await this.#removeDisks(made);
      throw e;
    }
  }

  #drbdDisk(uuid: string, index: number, r: DiskRequest): Disk {
    const data = configData(this.ctx.config);
    const res = this.#reservation!;
    const vg = r.vg ?? data.cluster.volume_group_name;
    if (!vg) throw new GanetiError('GNT_PARAM_MISSING', { owner: 'a drbd disk', param: 'vg (the cluster has no volume group)' });
    const metavg = String(r.params['metavg'] ?? vg);
    return newDrbdDisk({
      uuid, index, size: r.size, mode: r.mode, name: r.name, params: r.params as ParamDict, pnode: this.#pnode.uuid, snode: this.#snode!.uuid,
      port: res.ports[index]!, pminor: res.minors.get(this.#pnode.uuid)![index]!, sminor: res.minors.get(this.#snode!.uuid)![index]!, secret: drbdSecret(), vg, metavg,
    });
  }

  async #removeDisks(disks: readonly Disk[]): Promise<void> {
    if (disks.length === 0) return;
    const data = configData(this.ctx.config);
    const rpc = await this.ctx.rpc();
    for (const d of [...disks].reverse()) {
      for (const nu of d.nodes) {
        const node = requireNode(data, nu, nu);
        const w = wireDisk(this.ctx, data, d, node);
        await rpc.callNode('blockdev_shutdown', rpcNode(node), [w]).catch(() => undefined);
        const r = await rpc.callNode('blockdev_remove', rpcNode(node), [w]).catch((e: unknown) => ({ success: false, error: describeError(e) }));
        if (!r?.success) this.ctx.feedback(` - WARNING: could not remove disk ${d.iv_name} on ${node.name}: ${(r as { error?: string })?.error ?? 'no answer'}`);
      }
    }
  }
}

/** A port from the cluster's pool, else the next after the highest used (Ganeti's AllocatePort). */
function allocatePort(c: { tcpudp_port_pool: number[]; highest_used_port: number }): number {
  const pooled = c.tcpudp_port_pool.shift();
  if (pooled !== undefined) return pooled;
  const port = Math.max(c.highest_used_port, 11000) + 1;
  if (port > LAST_PORT) throw new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field: 'network_port', problem: `the cluster's port range is used up (last ${LAST_PORT})` });
  c.highest_used_port = port;
  return port;
}
