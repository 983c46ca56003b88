import { GanetiError } from '../../errors/index.js';
import { niceSort, niceSortBy, type FrozenConfig } from '../../config/index.js';
import { STORAGE_UNIT_FIELDS } from '../../contracts/storage.js';
import { ALL_SET, LogicalUnit } from '../logical-unit.js';
import type { OpNodeQueryStorage } from '../opcodes/definitions.js';
import { configData } from './group-params.js';
import { findNode, logWarning, rpcNode } from './node-common.js';
import { REPORTING_STORAGE_TYPES, checkStorageType, checkStorageTypeEnabled, defaultStorageType, servingUnits, storageUnitArgs } from './node-storage-common.js';

/** Every field of list-storage: the nodes' and the two the master knows (Ganeti's VALID_STORAGE_FIELDS). */
export const STORAGE_FIELDS = Object.freeze([...STORAGE_UNIT_FIELDS, 'node', 'type']);

/**
 * OP_NODE_QUERY_STORAGE (`gnt-node list-storage`, Ganeti's LUNodeQueryStorage): asks the
 * nodes (node locks shared) for their units of one storage type and returns one row per unit,
 * the values of `output_fields` in order, nodes and units nicely sorted. Offline nodes are
 * left out silently, failing ones with a warning in the job log, as Ganeti does.
 */
export class NodeQueryStorageUnit extends LogicalUnit<OpNodeQueryStorage> {
  override readonly requiresBgl = false;
  #nodes: string[] | null = null;
  #type = '';
  #template: string | null = null;

  override checkArguments(): void {
    const unknown = this.op.output_fields.filter((f) => !STORAGE_FIELDS.includes(f));
    if (unknown.length) throw new GanetiError('GNT_STORAGE_FIELD_UNKNOWN', { fields: unknown.join(',') });
    if (this.op.storage_type !== null) checkStorageType('storage_type', this.op.storage_type);
  }

  override expandNames(): void {
    const data = configData(this.ctx.config);
    if (this.op.nodes.length) {
      this.#nodes = [...new Set(this.op.nodes.map((name) => {
        const node = findNode(data, name);
        if (!node) throw new GanetiError('GNT_NODE_UNKNOWN', { field: 'nodes', name });
        return node.uuid;
      }))].sort();
    }
    // the lock manager holds no per-node lock names yet (nothing registers them from the
    // config), so the whole level, shared, as Ganeti does when no nodes are named
    this.neededLocks = { node: ALL_SET };
    this.shareLocks = { node: true };
  }

  override checkPrereq(): void {
    const data = configData(this.ctx.config);
    if (this.op.storage_type !== null) {
      checkStorageTypeEnabled(data, this.ctx.host, this.op.storage_type);
      this.#type = this.op.storage_type;
    } else {
      const type = defaultStorageType(data, this.ctx.host);
      if (type === null || !REPORTING_STORAGE_TYPES.includes(type))
        throw new GanetiError('GNT_STORAGE_NO_REPORTING', { type: String(type), supported: REPORTING_STORAGE_TYPES.join(', ') });
      this.#type = type;
    }
    this.#template = servingUnits(data, this.ctx.host, this.#type).template;
  }

  async exec(): Promise<unknown[][]> {
    const data: FrozenConfig = configData(this.ctx.config);
    const nodes = niceSortBy((this.#nodes ?? Object.keys(data.nodes)).map((u) => data.nodes[u]!).filter(Boolean), (n) => n.name);
    // the nodes always report the name (rows are sorted by it); node and type are ours
    const fields = [...new Set(['name', ...this.op.output_fields])].filter((f) => f !== 'node' && f !== 'type');
    const rpc = await this.ctx.rpc();
    const args = [this.#type, storageUnitArgs(data, this.ctx.host.paths, this.#type, this.#template), this.op.name, fields];
    const results = await rpc.call<unknown[][]>('storage_list', nodes.map((n) => rpcNode(n)), args);
    const out: unknown[][] = [];
    results.forEach((r, i) => {
      const node = nodes[i]!;
      if (!r.success) {
        if (!r.offline) logWarning(this.ctx, `Can't get storage data from node ${node.name}: ${r.error}`);
        return;
      }
      const rows = new Map(r.payload.map((row) => [String(row[0]), row]));
      for (const name of niceSort(rows.keys())) {
        const row = rows.get(name)!;
        out.push(this.op.output_fields.map((f) => (f === 'node' ? node.name : f === 'type' ? this.#type : row[fields.indexOf(f)])));
      }
    });
    return out;
  }
}
