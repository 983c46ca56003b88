import { GanetiError } from '../../errors/index.js';
import { niceSort, niceSortBy } from '../../config/index.js';
import { NODED_PORT } from '../../rpc/index.js';
import type { OsDiagnoseEntry } from '../../node/os.js';
import { LogicalUnit } from '../logical-unit.js';
import { OS_FIELDS, type OpOsDiagnose } from '../opcodes/os.js';

/** What one node says of one OS: `[path, valid, diagnose, variants, parameters, api_versions, trusted]`; empty when it lacks it. */
type NodeOsStatus = [path: string, valid: boolean, diagnose: string, variants: string[], parameters: [string, string][], api_versions: number[], trusted: boolean][];

/**
 * OP_OS_DIAGNOSE (Ganeti's LUOsDiagnose over its OS query): asks every online vm_capable node
 * for its OS definitions. An OS is valid when every node that answered has it valid; its
 * variants, parameters and API versions are those all such nodes share; it is trusted when
 * every node says so. node_status is keyed by node name, as `gnt-os diagnose` shows it.
 */
export class OsDiagnoseUnit extends LogicalUnit<OpOsDiagnose> {
  override readonly requiresBgl = false;

  override checkArguments(): void {
    const unknown = this.op.output_fields.filter((f) => !(OS_FIELDS as readonly string[]).includes(f));
    if (unknown.length)
      throw new GanetiError('GNT_OPCODE_INVALID', { opcode: 'OP_OS_DIAGNOSE', field: 'output_fields', problem: `has unknown fields: ${unknown.join(', ')} (known: ${OS_FIELDS.join(', ')})` });
  }

  async exec(): Promise<unknown[][]> {
    if (!this.ctx.config) throw new GanetiError('GNT_CLUSTER_NOT_INITIALIZED', {});
    const data = this.ctx.config.data;
    const eligible = niceSortBy(Object.values(data.nodes).filter((n) => !n.offline && n.vm_capable), (n) => n.name);
    const results = eligible.length
      ? await (await this.ctx.rpc()).call<OsDiagnoseEntry[]>('os_diagnose', eligible.map((n) => ({ name: n.name, address: n.primary_ip, port: NODED_PORT })), [], { signal: this.ctx.signal })
      : [];
    const answered = eligible.filter((_, i) => results[i]!.success);

    const byOs = new Map<string, Map<string, NodeOsStatus>>();
    eligible.forEach((node, i) => {
      const r = results[i]!;
      if (!r.success || !Array.isArray(r.payload)) return;
      for (const [name, ...rest] of r.payload) {
        let perNode = byOs.get(name);
        if (!perNode) byOs.set(name, (perNode = new Map(answered.map((n) => [n.name, [] as NodeOsStatus]))));
        perNode.get(node.name)!.push(rest);
      }
    });

    const c = data.cluster;
    const rows = niceSort(byOs.keys()).map((name) => {
      const statuses = [...byOs.get(name)!.values()];
      const firsts = statuses.map((s) => s[0]);
      const valid = firsts.every((f) => f !== undefined && f[1]);
      const shared = <T>(pick: (f: NonNullable<(typeof firsts)[number]>) => readonly T[], key: (t: T) => string = String): T[] => {
        if (!valid || !firsts.length) return [];
        let common = [...pick(firsts[0]!)];
        for (const f of firsts.slice(1)) common = common.filter((x) => pick(f!).some((y) => key(y) === key(x)));
        return common;
      };
      return {
        name,
        valid,
        hidden: (c.hidden_os ?? []).includes(name),
        blacklisted: (c.blacklisted_os ?? []).includes(name),
        variants: shared((f) => f[3]),
        parameters: shared((f) => f[4], (p) => `${p[0]}\u0000${p[1]}`),
        api_versions: shared((f) => f[5]),
        node_status: Object.fromEntries(byOs.get(name)!),
        os_hvp: c.os_hvp?.[name] ?? {},
        osparams: c.osparams?.[name] ?? {},
        trusted: valid && firsts.every((f) => f![6]),
      };
    });

    const wanted = this.op.names;
    const missing = wanted.filter((n) => !byOs.has(n));
    if (missing.length) throw new GanetiError('GNT_OS_QUERY_UNKNOWN', { names: missing.join(', ') });
    const fields = this.op.output_fields;
    const shown = wanted.length
      ? rows.filter((r) => wanted.includes(r.name))
      : rows.filter((r) => (fields.includes('hidden') || !r.hidden) && (fields.includes('blacklisted') || !r.blacklisted) && (fields.includes('valid') || r.valid));
    return shown.map((row) => fields.map((f) => row[f as keyof typeof row]));
  }
}
