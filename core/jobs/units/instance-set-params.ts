import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { GanetiError } from '../../errors/index.js';
import type { DeepReadonly, Disk, Nic, ParamDict } from '../../config/index.js';
import type { Params } from '../../contracts/params.js';
import { mergeBeparams, mergeNicparams } from '../../cluster/params.js';
import { filledBeParams, filledHvParams, filledNicParams } from '../../instance/params.js';
import { isMac } from '../../instance/mac.js';
import type { HookEnvValue } from '../logical-unit.js';
import type { ContainerMod, OpInstanceSetParams } from '../opcodes/definitions.js';
import { checkDiskSpecs, buildNics, usedMacs, type DiskRequest } from './instance-specs.js';
import { InstanceUnit, diskTemplateOf, instanceDisks, instancePayload, isRunning, requireNode, rpcNode, runtimeOf } from './instance-common.js';
import { createDiskOnNodes, newDiskObject, removeDiskOnNodes } from './instance-disk-ops.js';
import { hasHotplug } from './instance-state.js';
import { wireDisk } from './disk-common.js';
import { commitNicAddresses, isPoolIp, planNicAddresses } from '../../network/nic-addresses.js';

const OP = 'OP_INSTANCE_SET_PARAMS';
const invalid = (field: string, problem: string) => new GanetiError('GNT_INSTANCE_SPEC_INVALID', { field, problem });
/** Disk keys `--disk N:modify` may change (Ganeti's MODIFIABLE_IDISK_PARAMS). */
const MODIFIABLE_DISK_KEYS = new Set(['mode', 'name']);

/** Ganeti's GetUpdatedParams: `default` (any case) drops the instance's own value. */
function updated(own: DeepReadonly<ParamDict>, changes: Params): ParamDict {
  const out: ParamDict = { ...(own as ParamDict) };
  for (const [k, v] of Object.entries(changes)) {
    if (typeof v === 'string' && v.toLowerCase() === 'default') delete out[k];
    else out[k] = v as ParamDict[string];
  }
  return out;
}

type DiskPlan =
  | { kind: 'add'; index: number; req: DiskRequest }
  | { kind: 'remove'; index: number; disk: DeepReadonly<Disk> }
  | { kind: 'modify'; index: number; disk: DeepReadonly<Disk>; params: Params };

/**
 * OP_INSTANCE_SET_PARAMS (gnt-instance modify): hv/be/OS parameters, disks and NICs added,
 * removed or modified, offline/online, runtime memory. Everything is checked before any
 * change; the result is Ganeti's list of `[parameter, new value]` the CLI prints.
 *
 * As in Ganeti without hotplug: a disk cannot be removed from a running instance; disks
 * and NICs added or changed on a running instance reach the guest at its next start
 * (the fake hypervisor has no hotplug, and hotplug itself is not wired yet).
 */
export class InstanceSetParamsUnit extends InstanceUnit<OpInstanceSetParams> {
  override readonly hookPath = 'instance-modify';
  #running: boolean | null = null;
  #hv: ParamDict | null = null;
  #be: ParamDict | null = null;
  #beFilled: Params = {};
  #disks: DiskPlan[] = [];
  #nics: Nic[] | null = null;
  #nicChanges: [string, unknown][] = [];

  override checkArguments(): void {
    const op = this.op;
    const any = op.nics.length || op.disks.length || Object.keys(op.hvparams).length || Object.keys(op.beparams).length || op.os_name || Object.keys(op.osparams).length || op.offline !== null || op.runtime_mem !== null || op.disk_template !== null;
    if (!any) throw invalid(OP, 'no changes submitted');
    if (op.disk_template !== null) throw invalid('disk_template', 'disk template conversion is not supported yet');
    if (op.os_name !== null && !/^[A-Za-z0-9][A-Za-z0-9._-]*(\+[A-Za-z0-9._-]+)?$/.test(op.os_name)) throw invalid('os_name', `'${op.os_name}' is not an OS name (name or name+variant)`);
  }

  override async checkPrereq(): Promise<void> {
    super.checkPrereq();
    const op = this.op;
    const data = this.data;
    const inst = this.inst;
    this.#running = await isRunning(this.ctx, inst);

    if (Object.keys(op.hvparams).length) {
      const own = updated(inst.hvparams, op.hvparams);
      const hvs = this.ctx.host.hypervisors;
      this.#hv = hvs.validateParams(inst.hypervisor, own, { partial: true }) as ParamDict;
      const filled = hvs.validateParams(inst.hypervisor, filledHvParams(this.ctx.host, data, { ...inst, hvparams: this.#hv }), { partial: true });
      hvs.get(inst.hypervisor).checkParamsSyntax?.(filled);
    }
    const beOwn = Object.keys(op.beparams).length ? (mergeBeparams(OP, {}, updated(inst.beparams, op.beparams)) as ParamDict) : null;
    this.#beFilled = filledBeParams(data, { beparams: beOwn ?? inst.beparams }) as unknown as Params;
    if (beOwn) {
      mergeBeparams(OP, this.#beFilled); // minmem ≤ maxmem on the values that will apply
      this.#be = beOwn;
    }

    if (op.runtime_mem !== null) {
      if (this.#running !== true) throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: 'is not running; runtime memory can only be changed on a running instance' });
      const [min, max] = [Number(this.#beFilled['minmem']), Number(this.#beFilled['maxmem'])];
      if (!op.force && (op.runtime_mem < min || op.runtime_mem > max))
        throw invalid('runtime_mem', `instance ${inst.name} must have memory between ${min} and ${max} MiB unless --force is given (asked ${op.runtime_mem})`);
    }

    if (op.offline !== null && (inst.admin_state === 'up' || this.#running !== false))
      throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: op.offline ? "is running, can't change to offline without being down first" : "is running, can't change to online (down) without being offline first" });

    this.#planDisks();
    this.#planNics();
  }

  #index(kind: 'disk' | 'nic', id: number | string, count: number, forAdd: boolean): number {
    if (typeof id === 'number') {
      const idx = id === -1 ? (forAdd ? count : count - 1) : id;
      if (idx < 0 || idx > count || (!forAdd && idx === count)) {
        if (kind === 'disk') throw new GanetiError('GNT_INSTANCE_DISK_INDEX', { instance: this.inst.name, index: String(id), count: String(count) });
        throw invalid('nics', `instance ${this.inst.name} has no NIC ${id} (it has ${count})`);
      }
      return idx;
    }
    const list = kind === 'disk' ? instanceDisks(this.data, this.inst).map((d) => [d.uuid, d.name]) : this.inst.nics.map((n) => [n.uuid, n.name]);
    const found = list.findIndex(([u, n]) => u === id || n === id);
    if (found < 0) {
      if (kind === 'disk') throw new GanetiError('GNT_INSTANCE_DISK_INDEX', { instance: this.inst.name, index: id, count: String(count) });
      throw invalid('nics', `instance ${this.inst.name} has no NIC '${id}'`);
    }
    return found;
  }

  #planDisks(): void {
    const data = this.data;
    const inst = this.inst;
    const template = diskTemplateOf(data, inst);
    let count = inst.disks.length;
    const current = instanceDisks(data, inst);
    for (const [action, id, params] of this.op.disks as ContainerMod[]) {
      if (action === 'add') {
        if (template === 'diskless') throw invalid('disks', 'cannot add a disk to a diskless instance (its disk template is unknown)');
        const index = this.#index('disk', id, count, true);
        const [req] = checkDiskSpecs(this.ctx.host, template, [params]);
        this.#disks.push({ kind: 'add', index, req: req! });
        count++;
      } else if (action === 'remove') {
        if (Object.keys(params).length) throw invalid('disks', 'not accepting parameters on removal');
        const index = this.#index('disk', id, count, false);
        if (this.#running !== false && !(this.op.hotplug && hasHotplug(this.ctx, inst)))
          throw new GanetiError('GNT_INSTANCE_STATE', { instance: inst.name, problem: `is running, can't remove a disk from a running instance without hotplug (the ${inst.hypervisor} hypervisor has none); stop it first` });
        if (this.op.hotplug) throw invalid('hotplug', 'hotplug is not supported yet');
        this.#disks.push({ kind: 'remove', index, disk: current[index]! });
        count--;
      } else {
        const index = this.#index('disk', id, count, false);
        if ('size' in params) throw invalid(`disks[${index}].size`, 'disk size change not possible, use grow-disk');
        for (const k of Object.keys(params)) if (!MODIFIABLE_DISK_KEYS.has(k)) throw invalid(`disks[${index}].${k}`, `cannot be modified (modifiable: ${[...MODIFIABLE_DISK_KEYS].join(', ')})`);
        if (params['mode'] !== undefined && params['mode'] !== 'rw' && params['mode'] !== 'ro') throw invalid(`disks[${index}].mode`, `must be rw or ro, not ${JSON.stringify(params['mode'])}`);
        this.#disks.push({ kind: 'modify', index, disk: current[index]!, params });
      }
    }
    if (this.#disks.some((p) => p.kind !== 'modify') && this.#disks.some((p) => p.kind === 'modify'))
      throw invalid('disks', 'modify disks in a separate call from adding or removing them (indices would shift)');
  }

  #planNics(): void {
    if (this.op.nics.length === 0) return;
    const data = this.data;
    const group = data.nodes[this.inst.primary_node]?.group;
    const nics: Nic[] = this.inst.nics.map((n) => structuredClone(n) as Nic);
    const taken = usedMacs(data);
    for (const [action, id, params] of this.op.nics as ContainerMod[]) {
      if (action === 'add') {
        const index = this.#index('nic', id, nics.length, true);
        const [nic] = buildNics(data, [params], taken, randomUUID);
        const p = filledNicParams(data, nic!, group);
        const net = nic!.network ? (data.networks[nic!.network]?.name ?? nic!.network) : null;
        nics.splice(index, 0, nic!);
        this.#nicChanges.push([`nic.${index}`, `add:mac=${nic!.mac},ip=${nic!.ip ?? 'None'},mode=${String(p['mode'])},link=${String(p['link'] ?? '')},network=${net ?? 'None'}`]);
      } else if (action === 'remove') {
        if (Object.keys(params).length) throw invalid('nics', 'not accepting parameters on removal');
        const index = this.#index('nic', id, nics.length, false);
        nics.splice(index, 1);
        this.#nicChanges.push([`nic/${index}`, 'remove']);
      } else {
        const index = this.#index('nic', id, nics.length, false);
        const nic = nics[index]!;
        const field = `nics[${index}]`;
        for (const k of Object.keys(params)) if (!['mac', 'ip', 'name', 'mode', 'link', 'vlan', 'network'].includes(k)) throw invalid(`${field}.${k}`, 'unknown NIC parameter');
        if (typeof params['mac'] === 'string') {
          const mac = params['mac'].toLowerCase();
          if (!isMac(mac)) throw invalid(`${field}.mac`, `'${mac}' is not a MAC address`);
          if (mac !== nic.mac && taken.has(mac)) throw invalid(`${field}.mac`, `MAC address ${mac} is already in use in the cluster`);
          nic.mac = mac;
          this.#nicChanges.push([`nic.mac/${index}`, mac]);
        }
        if (params['ip'] !== undefined) {
          const ip = typeof params['ip'] === 'string' && params['ip'] !== '' && params['ip'].toLowerCase() !== 'none' ? params['ip'] : null;
          if (ip !== null && isIP(ip) === 0 && !isPoolIp(ip)) throw invalid(`${field}.ip`, `'${ip}' is not an IP address (nor pool)`); // --- networks: pool
          nic.ip = ip;
          this.#nicChanges.push([`nic.ip/${index}`, ip ?? 'None']);
        }
        if (params['name'] !== undefined) {
          nic.name = typeof params['name'] === 'string' && params['name'].toLowerCase() !== 'none' ? params['name'] : null;
          this.#nicChanges.push([`nic.name/${index}`, nic.name ?? 'None']);
        }
        if (params['network'] !== undefined) {
          const v = String(params['network']);
          const net = v === '' || v.toLowerCase() === 'none' ? null : Object.values(data.networks).find((n) => n.name === v || n.uuid === v);
          if (net === undefined) throw invalid(`${field}.network`, `network '${v}' does not exist`);
          nic.network = net?.uuid ?? null;
          this.#nicChanges.push([`nic.network/${index}`, net?.name ?? 'None']);
        }
        const own: ParamDict = { ...nic.nicparams };
        let changed = false;
        for (const k of ['mode', 'link', 'vlan'] as const) if (typeof params[k] === 'string') { own[k] = params[k] as string; changed = true; }
        if (changed) {
          mergeNicparams(`NIC ${index}`, { ...(data.cluster.nicparams['default'] ?? {}) }, own);
          nic.nicparams = own;
          for (const k of ['mode', 'link', 'vlan'] as const) if (typeof params[k] === 'string') this.#nicChanges.push([`nic.${k}/${index}`, own[k]]);
        }
      }
    }
    // --- networks: the NICs' network connections and addresses, checked before any change
    planNicAddresses(data, nics, this.#nicAddressOptions());
    this.#nics = nics;
  }

  /** --- networks: how changed NICs get their network's NIC parameters and addresses. */
  #nicAddressOptions() {
    const data = this.data;
    return { group: data.nodes[this.inst.primary_node]?.group, node: data.nodes[this.inst.primary_node]?.name ?? this.inst.primary_node, old: this.inst.nics, feedback: (m: string) => this.ctx.feedback(m) };
  }

  protected override extraHooksEnv(): Record<string, HookEnvValue> {
    const env: Record<string, HookEnvValue> = {};
    if (this.#be) Object.assign(env, { INSTANCE_MINMEM: this.#beFilled['minmem'] as number, INSTANCE_MAXMEM: this.#beFilled['maxmem'] as number, INSTANCE_MEMORY: this.#beFilled['maxmem'] as number, INSTANCE_VCPUS: this.#beFilled['vcpus'] as number });
    if (this.op.disk_template) env['NEW_DISK_TEMPLATE'] = this.op.disk_template;
    if (this.op.runtime_mem) env['RUNTIME_MEMORY'] = this.op.runtime_mem;
    return env;
  }

  async exec(): Promise<[string, unknown][]> {
    const op = this.op;
    const inst = this.inst;
    const result: [string, unknown][] = [];
    const rpc = await this.ctx.rpc();
    const pnode = requireNode(this.data, inst.primary_node, inst.primary_node);

    if (op.runtime_mem !== null) {
      const r = await rpc.callNode('instance_balloon_memory', rpcNode(pnode), [runtimeOf(this.ctx, this.data, inst), op.runtime_mem], { signal: this.ctx.signal });
      instancePayload(r, 'change the runtime memory of', inst.name, pnode.name);
      result.push(['runtime_memory', op.runtime_mem]);
    }

    for (const plan of this.#disks) result.push(...(await this.#applyDisk(plan)));

    await this.ctx.config!.update((txn) => {
      const i = txn.edit('instances', inst.uuid);
      if (this.#nics) commitNicAddresses(txn, this.#nics, this.#nicAddressOptions()); // --- networks: reserve/release addresses
      if (this.#nics) i.nics = this.#nics;
      if (this.#hv) i.hvparams = this.#hv;
      if (this.#be) i.beparams = this.#be;
      if (op.os_name) i.os = op.os_name;
      if (Object.keys(op.osparams).length) i.osparams = updated(i.osparams, op.osparams);
    });
    result.push(...this.#nicChanges);
    for (const [k, v] of Object.entries(op.hvparams)) result.push([`hv/${k}`, v]);
    for (const [k, v] of Object.entries(op.beparams)) result.push([`be/${k}`, v]);
    for (const [k, v] of Object.entries(op.osparams)) result.push([`os/${k}`, v]);
    if (op.offline !== null) {
      const state = op.offline ? 'offline' : 'down';
      await this.ctx.config!.update((txn) => {
        const i = txn.edit('instances', inst.uuid);
        i.admin_state = state;
        i.admin_state_source = 'admin';
      });
      result.push(['admin_state', state]);
    }
    return result;
  }

  async #applyDisk(plan: DiskPlan): Promise<[string, unknown][]> {
    const inst = this.fresh();
    const data = this.data;
    const template = diskTemplateOf(data, inst);
    const pnode = requireNode(data, inst.primary_node, inst.primary_node);
    if (plan.kind === 'add') {
      const obj = newDiskObject(data, template, pnode, plan.index, plan.req);
      const made = await createDiskOnNodes(this.ctx, data, obj, pnode.uuid, inst.name);
      try {
        await this.ctx.config!.update((txn) => {
          txn.add('disks', made);
          const i = txn.edit('instances', inst.uuid);
          i.disks = [...i.disks.slice(0, plan.index), made.uuid, ...i.disks.slice(plan.index)];
        });
      } catch (e) {
        await removeDiskOnNodes(this.ctx, data, made, false);
        throw e;
      }
      // A new disk is left open on the primary; an instance with inactive disks gets it shut down (Ganeti's _PostAddDisk).
      if (!inst.disks_active) {
        const rpc = await this.ctx.rpc();
        await rpc.callNode('blockdev_shutdown', rpcNode(pnode), [wireDisk(this.ctx, this.data, made, pnode)], { signal: this.ctx.signal }).catch(() => undefined);
      }
      return [[`disk/${plan.index}`, `add:size=${made.size},mode=${made.mode ?? 'rw'}`]];
    }
    if (plan.kind === 'remove') {
      await removeDiskOnNodes(this.ctx, data, plan.disk, false);
      await this.ctx.config!.update((txn) => {
        const i = txn.edit('instances', inst.uuid);
        i.disks = i.disks.filter((u) => u !== plan.disk.uuid);
        if (txn.get('disks', plan.disk.uuid)) txn.remove('disks', plan.disk.uuid);
      });
      return [[`disk/${plan.index}`, 'remove']];
    }
    const changes: [string, unknown][] = [];
    await this.ctx.config!.update((txn) => {
      const d = txn.edit('disks', plan.disk.uuid);
      if (plan.params['mode'] !== undefined) {
        d.mode = plan.params['mode'] as 'rw' | 'ro';
        changes.push([`disk.mode/${plan.index}`, d.mode]);
      }
      if (plan.params['name'] !== undefined) {
        const n = String(plan.params['name']);
        d.name = n.toLowerCase() === 'none' ? null : n;
        changes.push([`disk.name/${plan.index}`, d.name ?? 'None']);
      }
    });
    return changes;
  }
}
