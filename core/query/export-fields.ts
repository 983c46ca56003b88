import type { FrozenConfig } from '../config/objects.js';
import { niceSortBy } from '../config/nicesort.js';
import type { RpcClient } from '../rpc/client.js';
import { FieldTable, type QueryField, type QueryResult } from './fields.js';

/** One export on one node (Ganeti's QR_EXPORT rows). */
export interface ExportRow {
  readonly node: string;
  readonly export: string;
}

const FIELDS: QueryField<ExportRow>[] = [
  { name: 'node', title: 'Node', kind: 'text', doc: 'Node name', get: (r) => r.node },
  { name: 'export', title: 'Export', kind: 'text', doc: 'Export name', get: (r) => r.export },
];

export const EXPORT_QUERY_FIELDS = new FieldTable<ExportRow>('export', FIELDS);

/** The `export` resource: every online node's exports (export_list), by node then name. */
export async function queryExports(config: FrozenConfig, fields: readonly string[], qfilter: unknown, rpc: () => Promise<RpcClient | null>): Promise<QueryResult> {
  const nodes = niceSortBy(Object.values(config.nodes).filter((n) => !n.offline), (n) => n.name);
  const client = nodes.length ? await rpc() : null;
  const rows: ExportRow[] = [];
  if (client) {
    const results = await client.call<string[]>('export_list', nodes.map((n) => ({ name: n.name, address: n.primary_ip })), []);
    results.forEach((r, i) => {
      if (r.success && Array.isArray(r.payload)) for (const e of r.payload) rows.push({ node: nodes[i]!.name, export: e });
    });
  }
  return EXPORT_QUERY_FIELDS.query(fields, qfilter, rows);
}
