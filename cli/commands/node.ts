import { makeSimpleFilter } from '../../core/query/filter.js';
import type { LuxiClient } from '../../core/luxi/client.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import { luxiClient } from '../common/luxi.js';
import { genericList, genericListFields, parseFields, type ColumnFormat } from './query-output.js';
import { InfoMap, formatGenericInfo } from './generic-info.js';
import { formatParamsDictInfo, joinList } from './params-info.js';

/** The actions of gnt-node (Ganeti's lib/client/gnt_node.py); gnt-node.ts declares the options. */

export const NODE_LIST_DEFAULT_FIELDS = Object.freeze(['name', 'dtotal', 'dfree', 'mtotal', 'mnode', 'mfree', 'pinst_cnt', 'sinst_cnt']);

/** Instance lists and tags print comma-joined. */
export const NODE_LIST_FORMAT: Readonly<Record<string, ColumnFormat>> = Object.freeze({
  pinst_list: { format: joinList },
  sinst_list: { format: joinList },
  tags: { format: joinList },
});

export async function withClient<T>(fn: (client: LuxiClient) => Promise<T>): Promise<T> {
  const client = luxiClient();
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export function exitWith(code: number): void {
  if (code !== EXIT.SUCCESS) throw new CliExit(code);
}

export interface ListOptions {
  output?: string;
  headers: boolean;
  separator?: string;
  units?: string;
  verbose?: boolean;
  nodeGroup?: string;
}

/** The name filter of `gnt-node list`, restricted to one group's nodes with `-g GROUP` (name or UUID). */
export function nodeListFilter(names: readonly string[], group: string | undefined): unknown[] | null {
  const byName = makeSimpleFilter('name', names);
  if (group === undefined) return byName;
  const byGroup = ['|', ['==', 'group', group], ['==', 'group.uuid', group]];
  return byName ? ['&', byName, byGroup] : byGroup;
}

/** `gnt-node list [names]` */
export async function listNodes(names: readonly string[], opts: ListOptions): Promise<void> {
  const fields = parseFields(opts.output, NODE_LIST_DEFAULT_FIELDS);
  const code = await withClient((client) =>
    genericList(client, 'node', fields, nodeListFilter(names, opts.nodeGroup), {
      header: opts.headers,
      separator: opts.separator,
      units: opts.units,
      verbose: opts.verbose ?? false,
      overrides: NODE_LIST_FORMAT,
    }),
  );
  exitWith(code);
}

/** `gnt-node list-fields [fields]` */
export async function listNodeFields(fields: readonly string[], opts: { headers: boolean; separator?: string }): Promise<void> {
  exitWith(await withClient((client) => genericListFields(client, 'node', fields, { header: opts.headers, separator: opts.separator })));
}

const INFO_FIELDS = ['name', 'pip', 'sip', 'pinst_list', 'sinst_list', 'master_candidate', 'drained', 'offline', 'master_capable', 'vm_capable', 'powered', 'ndparams', 'custom_ndparams'];

/** `gnt-node info [names]`: Ganeti's ShowNodeConfig layout (the configuration part). */
export async function showNodeInfo(names: readonly string[]): Promise<void> {
  const response = await withClient((client) => client.query('node', INFO_FIELDS, makeSimpleFilter('name', names)));
  const nodes = response.data.map((row) => {
    // values that are missing (e.g. the power state without an out-of-band program) are None
    const [name, pip, sip, pinst, sinst, mc, drained, offline, masterCapable, vmCapable, powered, ndparams, customNdparams] = row.map(([status, value]) =>
      status === 0 ? value : null,
    );
    const info: [string, unknown][] = [
      ['Node name', name],
      ['primary ip', pip],
      ['secondary ip', sip],
      ['master candidate', mc],
      ['drained', drained],
      ['offline', offline],
    ];
    if (powered !== null) info.push(['powered', powered]);
    info.push(['master_capable', masterCapable], ['vm_capable', vmCapable]);
    if (vmCapable) {
      info.push(['primary for instances', (pinst as string[] | null) ?? []], ['secondary for instances', (sinst as string[] | null) ?? []]);
    }
    info.push(['node parameters', formatParamsDictInfo(customNdparams, ndparams)]);
    return new InfoMap(info);
  });
  if (nodes.length) process.stdout.write(`${formatGenericInfo(nodes)}\n`);
}
