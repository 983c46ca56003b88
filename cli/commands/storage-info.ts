import { niceSort } from '../../core/config/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';

/**
 * `gnt-storage info [provider...]`: per provider the node groups it is valid for and its
 * parameters, or that it is invalid everywhere; asked-for names no node has print
 * `<name>: Not Found`. Exactly Ganeti's layout (gnt_storage.py).
 */
export async function showExtStorageInfo(names: readonly string[], o: OpcodeOptions): Promise<void> {
  const results = await submitAndWait([{ OP_ID: 'OP_EXT_STORAGE_DIAGNOSE', output_fields: ['name', 'nodegroup_status', 'parameters'], names: [] }], o, { binary: 'gnt-storage', command: 'info' });
  const rows = results?.[0] as [string, Record<string, boolean>, [string, string][]][] | undefined;
  if (!rows?.length) {
    process.stderr.write("Can't get the ExtStorage providers list\n");
    throw new CliExit(EXIT.FAILURE);
  }
  const left = [...names];
  const out: string[] = [];
  for (const [name, groups, parameters] of rows) {
    if (names.length) {
      const i = left.indexOf(name);
      if (i < 0) continue;
      left.splice(i, 1);
    }
    const validGroups = Object.entries(groups).filter(([, ok]) => ok).map(([g]) => g);
    out.push(`${name}:`);
    if (validGroups.length) {
      out.push('  - Valid for nodegroups:', ...niceSort(validGroups).map((g) => `      ${g}`), '  - Supported parameters:');
      for (const [p, d] of parameters) out.push(`      ${p}: ${d}`);
    } else {
      out.push('  - Invalid for all nodegroups');
    }
    out.push('');
  }
  for (const name of left) out.push(`${name}: Not Found`, '');
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
}
