import { LogicalUnit } from '../logical-unit.js';
import type { OpInstanceQueryData } from '../opcodes/definitions.js';
import { filledBeParams, filledHvParams, filledNicParams } from '../../instance/params.js';
import { configData } from './group-params.js';
import { diskTemplateOf, instanceDisks, isRunning, requireInstance, secondaryNodes, type NodeView } from './instance-common.js';
import { niceSortBy } from '../../config/nicesort.js';

/**
 * OP_INSTANCE_QUERY_DATA (gnt-instance info): the configuration of instances with, unless
 * `static`, their run state from the primary node. Ganeti's result shape: instance name →
 * {config_state, run_state, pnode, snodes, os, hypervisor, hv_instance/hv_actual,
 * be_instance/be_actual, disks, nics, ...}.
 */
export class InstanceQueryDataUnit extends LogicalUnit<OpInstanceQueryData> {
  override readonly requiresBgl = false;

  override expandNames(): void {
    this.neededLocks = this.op.use_locking ? { instance: 'ALL' } : {};
    this.shareLocks = { instance: true };
  }

  async exec(): Promise<Record<string, unknown>> {
    const data = configData(this.ctx.config);
    const insts = this.op.instances.length ? this.op.instances.map((n) => requireInstance(data, n, 'instances')) : niceSortBy(Object.values(data.instances), (i) => i.name);
    const out: Record<string, unknown> = {};
    const nodeName = (u: string) => data.nodes[u]?.name ?? u;
    for (const inst of insts) {
      const pnode = data.nodes[inst.primary_node] as NodeView | undefined;
      let run: string | null = null;
      if (!this.op.static) {
        const r = pnode?.offline ? null : await isRunning(this.ctx, inst).catch(() => null);
        run = r === null ? null : r ? 'up' : 'down';
      }
      const group = pnode?.group;
      out[inst.name] = {
        name: inst.name, uuid: inst.uuid, config_state: inst.admin_state, admin_state_source: inst.admin_state_source, run_state: run,
        pnode: nodeName(inst.primary_node), pnode_group_name: data.nodegroups[group ?? '']?.name ?? null, pnode_group_uuid: group ?? null,
        snodes: secondaryNodes(data, inst).map(nodeName), os: inst.os, hypervisor: inst.hypervisor, network_port: inst.network_port ?? null,
        disk_template: diskTemplateOf(data, inst), disks_active: inst.disks_active,
        hv_instance: inst.hvparams, hv_actual: filledHvParams(this.ctx.host, data, inst),
        be_instance: inst.beparams, be_actual: filledBeParams(data, inst),
        os_instance: inst.osparams, os_actual: { ...(data.cluster.osparams[inst.os.split('+')[0]!] ?? {}), ...inst.osparams },
        nics: inst.nics.map((n) => {
          const p = filledNicParams(data, n, group);
          return [n.name ?? null, n.uuid, n.ip ?? null, n.mac, p['mode'], p['link'], p['vlan'] ?? '', n.network ?? null, n.network ? (data.networks[n.network]?.name ?? null) : null];
        }),
        disks: instanceDisks(data, inst).map((d, i) => ({
          iv_name: `disk/${i}`, dev_type: d.dev_type, logical_id: d.logical_id, size: d.size, mode: d.mode ?? 'rw', name: d.name ?? null, uuid: d.uuid,
          nodes: d.nodes.map(nodeName), spindles: d.spindles ?? null, params: d.params,
        })),
        tags: [...(inst.tags ?? [])], ctime: inst.ctime, mtime: inst.mtime, serial_no: inst.serial_no,
      };
    }
    return out;
  }
}
