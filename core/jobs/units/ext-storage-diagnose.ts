import { GanetiError } from '../../errors/index.js';
import { niceSort, niceSortBy } from '../../config/index.js';
import { NODED_PORT } from '../../rpc/index.js';
import type { ExtDiagnoseEntry } from '../../node/extstorage.js';
import { LogicalUnit } from '../logical-unit.js';
import { EXT_STORAGE_FIELDS, type OpExtStorageDiagnose } from '../opcodes/storage.js';

/** What one node says of one provider: `[path, valid, diagnose, parameters]`; empty when it lacks it. */
type NodeProviderStatus = [path: string, valid: boolean, diagnose: string, parameters: [string, string][]][];

interface ProviderRow {
  readonly name: string;
  /** Node name → status (nodes whose RPC failed are left out). */
  readonly node_status: Record<string, NodeProviderStatus>;
  /** Node group name → valid. */
  readonly nodegroup_status: Record<string, boolean>;
  readonly parameters: [string, string][];
}

/**
 * OP_EXT_STORAGE_DIAGNOSE (Ganeti's LUExtStorageDiagnose / ExtStorageQuery, interfaces §2.4):
 * asks every online vm_capable node for its providers. A group is valid for a provider when
 * none of its eligible members that answered lacks it or has it invalid (so a group without
 * eligible members is valid); the parameters are those every node has, counted only up to
 * the first node where the provider is not valid. Ganeti keys node_status by node UUID;
 * here it is the node name, which is what `gnt-storage diagnose` shows.
 */
export class ExtStorageDiagnoseUnit extends LogicalUnit<OpExtStorageDiagnose> {
  override readonly requiresBgl = false;

  override checkArguments(): void {
    const unknown = this.op.output_fields.filter((f) => !(EXT_STORAGE_FIELDS as readonly string[]).includes(f));
    if (unknown.length)
      throw new GanetiError('GNT_OPCODE_INVALID', { opcode: 'OP_EXT_STORAGE_DIAGNOSE', field: 'output_fields', problem: `has unknown fields: ${unknown.join(', ')} (known: ${EXT_STORAGE_FIELDS.join(', ')})` });
  }

  async exec(): Promise<unknown[][]> {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    const data = this.ctx.config.data;
    const nodes = Object.values(data.nodes);
    const eligible = niceSortBy(nodes.filter((n) => !n.offline && n.vm_capable), (n) => n.name);
    const results = eligible.length
      ? await (await this.ctx.rpc()).call<ExtDiagnoseEntry[]>('extstorage_diagnose', eligible.map((n) => ({ name: n.name, address: n.primary_ip, port: NODED_PORT })), [], { signal: this.ctx.signal })
      : [];

    // provider → node name → entries, for the nodes that answered (Ganeti's _DiagnoseByProvider)
    const answered = eligible.filter((_, i) => results[i]!.success);
    const byProvider = new Map<string, Map<string, NodeProviderStatus>>();
    eligible.forEach((node, i) => {
      const r = results[i]!;
      if (!r.success || !Array.isArray(r.payload)) return;
      for (const [name, path, valid, diagnose, params] of r.payload) {
        let perNode = byProvider.get(name);
        if (!perNode) byProvider.set(name, (perNode = new Map(answered.map((n) => [n.name, [] as NodeProviderStatus]))));
        perNode.get(node.name)!.push([path, valid, diagnose, params.map(([p, d]) => [p, d] as [string, string])]);
      }
    });

    const wanted = this.op.names.length ? this.op.names : niceSort(byProvider.keys());
    const missing = wanted.filter((n) => !byProvider.has(n));
    if (missing.length) throw new GanetiError('GNT_EXT_QUERY_UNKNOWN', { names: missing.join(', ') });

    const answeredNames = new Set(answered.map((n) => n.name));
    const groups = Object.values(data.nodegroups);
    return wanted.map((name) => {
      const perNode = byProvider.get(name)!;
      const nodegroup_status: Record<string, boolean> = {};
      for (const g of groups) {
        const members = nodes.filter((n) => n.group === g.uuid && answeredNames.has(n.name));
        nodegroup_status[g.name] = members.every((n) => perNode.get(n.name)?.[0]?.[1] === true);
      }
      const row: ProviderRow = { name, node_status: Object.fromEntries(perNode), nodegroup_status, parameters: commonParameters([...perNode.values()]) };
      return this.op.output_fields.map((f) => row[f as keyof ProviderRow]);
    });
  }
}

/** Parameters all nodes agree on (name and description), up to the first node where the provider is not valid. */
function commonParameters(statuses: readonly NodeProviderStatus[]): [string, string][] {
  let common: [string, string][] | null = null;
  for (const s of statuses) {
    const first = s[0];
    if (!first || !first[1]) break;
    const mine = first[3];
    common = common === null ? [...mine] : common.filter(([n, d]) => mine.some(([n2, d2]) => n2 === n && d2 === d));
  }
  return common ?? [];
}
