import { makeSimpleFilter } from '../../core/query/filter.js';
import { genericList, genericListFields, parseFields, type ColumnFormat } from './query-output.js';
import { InfoMap, formatGenericInfo } from './generic-info.js';
import { formatDictColumn, formatGroupPolicyInfo, formatParamsDictInfo, joinList } from './params-info.js';
import { exitWith, withClient } from './node.js';

/** The actions of gnt-group (Ganeti's lib/client/gnt_group.py); gnt-group.ts declares the options. */

export const GROUP_LIST_DEFAULT_FIELDS = Object.freeze(['name', 'node_cnt', 'pinst_cnt', 'alloc_policy', 'ndparams']);

/** Member lists print comma-joined, node parameters as `k=v, ...`. */
export const GROUP_LIST_FORMAT: Readonly<Record<string, ColumnFormat>> = Object.freeze({
  node_list: { format: joinList },
  pinst_list: { format: joinList },
  ndparams: { format: formatDictColumn },
});

/** `gnt-group list [names]` (sizes in the default units: groups have no size fields). */
export async function listGroups(names: readonly string[], opts: { output?: string; headers: boolean; separator?: string; verbose?: boolean }): Promise<void> {
  const fields = parseFields(opts.output, GROUP_LIST_DEFAULT_FIELDS);
  const code = await withClient((client) =>
    genericList(client, 'group', fields, makeSimpleFilter('name', names), {
      header: opts.headers,
      separator: opts.separator,
      verbose: opts.verbose ?? false,
      overrides: GROUP_LIST_FORMAT,
    }),
  );
  exitWith(code);
}

/** `gnt-group list-fields [fields]` */
export async function listGroupFields(fields: readonly string[], opts: { headers: boolean; separator?: string }): Promise<void> {
  exitWith(await withClient((client) => genericListFields(client, 'group', fields, { header: opts.headers, separator: opts.separator })));
}

const INFO_FIELDS = ['name', 'ndparams', 'custom_ndparams', 'diskparams', 'custom_diskparams', 'ipolicy', 'custom_ipolicy'];

/** `gnt-group info [names]`: Ganeti's GroupInfo layout. */
export async function showGroupInfo(names: readonly string[]): Promise<void> {
  const response = await withClient((client) => client.query('group', INFO_FIELDS, makeSimpleFilter('name', names)));
  const groups = response.data.map((row) => {
    const [name, ndparams, customNdparams, diskparams, customDiskparams, ipolicy, customIpolicy] = row.map(([status, value]) => (status === 0 ? value : null));
    return new InfoMap([
      ['Node group', name],
      ['Node parameters', formatParamsDictInfo(customNdparams, ndparams)],
      ['Disk parameters', formatParamsDictInfo(customDiskparams, diskparams)],
      ['Instance policy', formatGroupPolicyInfo(customIpolicy, ipolicy)],
    ]);
  });
  if (groups.length) process.stdout.write(`${formatGenericInfo(groups)}\n`);
}
