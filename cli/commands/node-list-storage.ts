import { LuxiRemoteError } from '../../core/luxi/errors.js';
import { EXIT } from '../common/exit-codes.js';
import { formatLuxiFailure, submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { CliExit } from '../common/program.js';
import { formatUnit, parseFields, tableLines } from './query-output.js';
import { userStorageType } from './node-storage-types.js';

/**
 * `gnt-node list-storage` (Ganeti's ListStorage): submits OP_NODE_QUERY_STORAGE and prints
 * its rows with Ganeti's titles, Y/N for allocatable, sizes through --units (h without a
 * separator, m with one) and right-aligned. An unknown field ends with exit code 14, as the
 * other list commands do.
 */

/** Ganeti's _LIST_STOR_DEF_FIELDS. */
export const LIST_STORAGE_DEFAULT_FIELDS = Object.freeze(['node', 'type', 'name', 'size', 'used', 'free', 'allocatable']);

/** Ganeti's _LIST_STOR_HEADERS. */
export const LIST_STORAGE_TITLES: Readonly<Record<string, string>> = Object.freeze({
  node: 'Node', type: 'Type', name: 'Name', size: 'Size', used: 'Used', free: 'Free', allocatable: 'Allocatable',
});

const SIZE_FIELDS = new Set(['size', 'used', 'free']);

export interface ListStorageOptions extends Pick<OpcodeOptions, 'priority'> {
  storageType?: string;
  output?: string;
  headers: boolean;
  separator?: string;
  units?: string;
}

/** One printed value: sizes as --units says when they are integers (Ganeti's GenerateTable), the rest as str(). */
function cell(field: string, value: unknown, units: string): string {
  if (field === 'allocatable') return value ? 'Y' : 'N';
  if (SIZE_FIELDS.has(field) && typeof value === 'number' && Number.isInteger(value)) return formatUnit(value, units);
  return value === null || value === undefined ? 'None' : String(value);
}

export async function listStorage(nodes: string[], o: ListStorageOptions): Promise<void> {
  const fields = parseFields(o.output, LIST_STORAGE_DEFAULT_FIELDS);
  const storageType = o.storageType === undefined ? null : userStorageType('-t/--storage-type', o.storageType);
  let result: unknown[] | null;
  try {
    result = await submitAndWait([{ OP_ID: 'OP_NODE_QUERY_STORAGE', nodes, storage_type: storageType, name: null, output_fields: fields }], o, { binary: 'gnt-node', command: 'list-storage' });
  } catch (e) {
    if (e instanceof LuxiRemoteError && e.remoteCode === 'GNT_STORAGE_FIELD_UNKNOWN') {
      process.stderr.write(`${formatLuxiFailure(e)!.text}\n`);
      throw new CliExit(EXIT.UNKNOWN_FIELD);
    }
    throw e;
  }
  const rows = (result?.[0] ?? []) as unknown[][];
  const units = o.units ?? (o.separator !== undefined ? 'm' : 'h');
  const columns = fields.map((f) => ({ title: LIST_STORAGE_TITLES[f] ?? f, alignRight: SIZE_FIELDS.has(f) }));
  const lines = tableLines(columns, rows.map((row) => fields.map((f, i) => cell(f, row[i], units))), o.headers, o.separator);
  for (const line of lines) process.stdout.write(`${line}\n`);
}
