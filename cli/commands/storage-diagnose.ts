import { niceSort } from '../../core/config/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';

type NodeStatus = [path: string, valid: boolean, diagnose: string, parameters: [string, string][]][];

/**
 * `gnt-storage diagnose`: per provider, each node's status (valid ones first, each list
 * nice-sorted), then each node group's. Exactly Ganeti's layout (gnt_storage.py). `names`
 * limits it to some providers (gnt-storage install shows the ones it installed).
 */
export async function diagnoseExtStorage(o: OpcodeOptions, names: readonly string[] = [], command = 'diagnose'): Promise<void> {
  const results = await submitAndWait([{ OP_ID: 'OP_EXT_STORAGE_DIAGNOSE', output_fields: ['name', 'node_status', 'nodegroup_status'], names }], o, { binary: 'gnt-storage', command });
  const rows = results?.[0] as [string, Record<string, NodeStatus>, Record<string, boolean>][] | undefined;
  if (!rows?.length) {
    process.stderr.write("Can't get the list of ExtStorage providers\n");
    throw new CliExit(EXIT.FAILURE);
  }
  const out: string[] = [];
  for (const [provider, nodeData, groupData] of rows) {
    const valid = new Map<string, string>();
    const bad = new Map<string, string>();
    for (const [node, entries] of Object.entries(nodeData)) {
      const first = entries[0];
      if (!first) {
        bad.set(node, 'ExtStorage provider not found');
        continue;
      }
      const [path, ok, diagnose, params] = first;
      let msg = `${ok ? 'valid' : `invalid - ${diagnose}`} (path: ${path})`;
      msg += params.length ? ` [parameters: ${params.map(([n]) => n).join(', ')}]` : ' [no parameters]';
      (ok ? valid : bad).set(node, msg);
    }
    out.push(`Provider: ${provider}`, '---');
    for (const m of [valid, bad]) for (const node of niceSort(m.keys())) out.push(`  Node: ${node}, status: ${m.get(node)}`);
    out.push('  --');
    const groups = Object.entries(groupData);
    for (const want of [true, false])
      for (const g of niceSort(groups.filter(([, s]) => Boolean(s) === want).map(([g]) => g))) out.push(`  For nodegroup: ${g} --> ${want ? 'valid' : 'invalid'}`);
    out.push('');
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
