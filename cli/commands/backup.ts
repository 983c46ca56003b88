import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { instanceCreateOp, type InstanceAddOptions } from './instance-add.js';

/** gnt-backup: export, import, list, list-fields and remove (Ganeti's lib/client/gnt_backup.py). */
const source = (command: string) => ({ binary: 'gnt-backup', command });
export const EXPORT_LIST_DEFAULT_FIELDS = ['node', 'export'];

export interface ExportOptions extends OpcodeOptions {
  node: string;
  shutdown?: boolean;
  shutdownTimeout?: string;
  removeInstance?: boolean;
  ignoreRemoveFailures?: boolean;
}

export async function backupExport(name: string, o: ExportOptions): Promise<void> {
  const r = await submitAndWait([{
    OP_ID: 'OP_BACKUP_EXPORT', instance_name: name, target_node: o.node, shutdown: o.shutdown !== false,
    ...(o.shutdownTimeout !== undefined ? { shutdown_timeout: Number(o.shutdownTimeout) } : {}),
    remove_instance: Boolean(o.removeInstance), ignore_remove_failures: Boolean(o.ignoreRemoveFailures), mode: 'local',
  }], o, source('export'));
  // Ganeti prints which disks failed, when some did
  const result = r?.[0] as [boolean, boolean[]] | undefined;
  if (result && (!result[0] || result[1].some((x) => !x))) {
    if (!result[0]) process.stderr.write('Export failed during the finalization phase\n');
    result[1].forEach((ok, i) => ok || process.stderr.write(`Export failed for disk ${i}\n`));
    process.exitCode = 1;
  }
}

export interface ImportOptions extends InstanceAddOptions {
  srcNode: string;
  srcDir?: string;
}

export async function backupImport(name: string, o: ImportOptions): Promise<void> {
  // without --disk/--net the export's disks and NICs are used
  const op = instanceCreateOp(name, { ...o, diskTemplate: o.diskTemplate });
  const nics = o.net?.length || o.nics === false ? op['nics'] : [];
  await submitAndWait([{ ...op, mode: 'import', src_node: o.srcNode, src_path: o.srcDir ?? null, nics, os_type: o.osType ?? null }], o, source('import'));
}

export async function backupRemove(name: string, o: OpcodeOptions): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_BACKUP_REMOVE', instance_name: name }], o, source('remove'));
}

export interface ExportListOptions {
  node?: string[];
  output?: string;
  headers: boolean;
  separator?: string;
}

export async function backupList(o: ExportListOptions): Promise<void> {
  const [{ makeSimpleFilter }, { genericList, parseFields }, { exitWith, withClient }] = await Promise.all([
    import('../../core/query/filter.js'),
    import('./query-output.js'),
    import('./node.js'),
  ]);
  const fields = parseFields(o.output, EXPORT_LIST_DEFAULT_FIELDS);
  exitWith(await withClient((client) => genericList(client, 'export', fields, makeSimpleFilter('node', o.node ?? []), { header: o.headers, separator: o.separator, units: undefined, verbose: false })));
}

export async function backupListFields(fields: readonly string[], opts: { headers: boolean; separator?: string }): Promise<void> {
  const [{ genericListFields }, { exitWith, withClient }] = await Promise.all([import('./query-output.js'), import('./node.js')]);
  exitWith(await withClient((client) => genericListFields(client, 'export', fields, { header: opts.headers, separator: opts.separator })));
}
