import { GanetiError } from '../../core/errors/index.js';
import type { LuxiClient } from '../../core/luxi/client.js';
import { niceSortBy } from '../../core/config/index.js';

export interface OnlineNode {
  readonly name: string;
  readonly address: string;
  readonly master: boolean;
}

/**
 * Ganeti's cli.GetOnlineNodes: the nodes named (all when none), or those of `group`, without
 * offline ones (skipped with a note on stderr) and, with `filterMaster`, without the master.
 * Unknown names are an error.
 */
export async function onlineNodes(client: LuxiClient, o: { names?: readonly string[]; group?: string; filterMaster?: boolean }): Promise<OnlineNode[]> {
  const r = await client.query('node', ['name', 'offline', 'pip', 'master', 'group'], null);
  const rows = r.data.map(([name, offline, pip, master, group]) => ({
    name: String(name![1]), offline: offline![1] === true, address: String(pip![1]), master: master![1] === true, group: String(group![1]),
  }));
  const names = o.names ?? [];
  const unknown = names.filter((n) => !rows.some((x) => x.name === n));
  if (unknown.length) throw new GanetiError('GNT_QUERY_UNKNOWN_NAME', { kind: 'Node', name: unknown.join(', '), problem: 'is not known' });
  let chosen = names.length ? rows.filter((x) => names.includes(x.name)) : rows;
  if (o.group !== undefined) chosen = chosen.filter((x) => x.group === o.group);
  const offline = chosen.filter((x) => x.offline).map((x) => x.name);
  if (offline.length) process.stderr.write(`Note: skipping offline node(s): ${offline.join(', ')}\n`);
  return niceSortBy(chosen.filter((x) => !x.offline && !(o.filterMaster && x.master)), (x) => x.name).map(({ name, address, master }) => ({ name, address, master }));
}
