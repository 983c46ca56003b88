import type { Params } from '../../core/contracts/params.js';
import { GanetiError } from '../../core/errors/index.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { parseKeyValues } from '../common/params.js';
import { parseSizeMiB } from '../common/units.js';

/**
 * gnt-storage's detached-disk commands (ganeti-ts's own; see core/jobs/opcodes/disk.ts):
 * disk-add, disk-activate, disk-deactivate, disk-remove.
 */

const source = (command: string) => ({ binary: 'gnt-storage', command });

export interface DiskAddOptions extends OpcodeOptions {
  diskTemplate: string;
  node: string;
  /** `--disk size=S,provider=P,k=v,...` (Ganeti's disk spec keys plus ext parameters) */
  disk: string;
}

/** `--disk` → the opcode's disk dict: size in MiB (with units), the rest as given. */
export function parseDiskSpec(text: string): Params {
  const spec = parseKeyValues(text, '--disk');
  if (spec['size'] === undefined) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: '--disk: size=SIZE is required' });
  return { ...spec, size: parseSizeMiB(String(spec['size']), '--disk size') };
}

export async function diskAdd(name: string, o: DiskAddOptions): Promise<void> {
  const op = { OP_ID: 'OP_DISK_CREATE', disk_name: name, disk_template: o.diskTemplate, node_name: o.node, disk: parseDiskSpec(o.disk) };
  await submitAndWait([op], o, source('disk-add'));
}

/** Prints `node:disk:device` per activated disk, as gnt-instance activate-disks does (a URI when there is no device). */
export async function diskActivate(name: string, o: OpcodeOptions): Promise<void> {
  const res = await submitAndWait([{ OP_ID: 'OP_DISK_ACTIVATE', disk_name: name }], o, source('disk-activate'));
  for (const [node, disk, path, uris] of (res?.[0] ?? []) as [string, string, string | null, string[]][]) {
    process.stdout.write(`${node}:${disk}:${path ?? uris[0] ?? ''}\n`);
  }
}

export async function diskDeactivate(name: string, o: OpcodeOptions): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_DISK_DEACTIVATE', disk_name: name }], o, source('disk-deactivate'));
}

export async function diskRemove(name: string, o: OpcodeOptions): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_DISK_REMOVE', disk_name: name }], o, source('disk-remove'));
}

export const DISK_LIST_DEFAULT_FIELDS = Object.freeze(['name', 'dev_type', 'size', 'node', 'instance']);

export interface DiskListOptions {
  headers: boolean;
  separator?: string;
  units?: string;
  output?: string;
  verbose?: boolean;
}

/** `gnt-storage disk-list [names]` */
export async function diskList(names: readonly string[], opts: DiskListOptions): Promise<void> {
  const [{ makeSimpleFilter }, { genericList, parseFields }, { exitWith, withClient }, { joinList, formatDictColumn }] = await Promise.all([
    import('../../core/query/filter.js'),
    import('./query-output.js'),
    import('./node.js'),
    import('./params-info.js'),
  ]);
  const fields = parseFields(opts.output, DISK_LIST_DEFAULT_FIELDS);
  const code = await withClient((client) =>
    genericList(client, 'disk', fields, makeSimpleFilter('name', names), {
      header: opts.headers,
      separator: opts.separator,
      units: opts.units,
      verbose: opts.verbose ?? false,
      overrides: { nodes: { format: joinList }, logical_id: { format: joinList }, params: { format: formatDictColumn } },
    }),
  );
  exitWith(code);
}

/** `gnt-storage disk-list-fields [fields]` */
export async function diskListFields(fields: readonly string[], opts: { headers: boolean; separator?: string }): Promise<void> {
  const [{ genericListFields }, { exitWith, withClient }] = await Promise.all([import('./query-output.js'), import('./node.js')]);
  exitWith(await withClient((client) => genericListFields(client, 'disk', fields, { header: opts.headers, separator: opts.separator })));
}
