import { makeSimpleFilter } from '../../core/query/filter.js';
import { genericList, genericListFields, parseFields, type ColumnFormat } from './query-output.js';
import { exitWith, withClient } from './node.js';

/** The query actions of gnt-network (Ganeti's gnt_network.py); gnt-network.ts declares the options. */

export const NETWORK_LIST_DEFAULT_FIELDS = Object.freeze(['name', 'network', 'gateway', 'mac_prefix', 'group_list', 'tags']);

type Connection = [group: string, mode: string, link: string, vlan: string];

/** Ganeti's format overrides: `group (mode, link, vlan), ...`; instances and tags comma-joined. */
export const NETWORK_LIST_FORMAT: Readonly<Record<string, ColumnFormat>> = Object.freeze({
  group_list: { format: (v: unknown) => (v as Connection[]).map(([g, mode, link, vlan]) => `${g} (${mode}, ${link}, ${vlan})`).join(', ') },
  inst_list: { format: (v: unknown) => (v as string[]).join(',') },
  tags: { format: (v: unknown) => (v as string[]).join(',') },
});

/** `gnt-network list [names]` */
export async function listNetworks(names: readonly string[], opts: { output?: string; headers: boolean; separator?: string; verbose?: boolean }): Promise<void> {
  const fields = parseFields(opts.output, NETWORK_LIST_DEFAULT_FIELDS);
  const code = await withClient((client) =>
    genericList(client, 'network', fields, makeSimpleFilter('name', names), { header: opts.headers, separator: opts.separator, verbose: opts.verbose ?? false, overrides: NETWORK_LIST_FORMAT }),
  );
  exitWith(code);
}

/** `gnt-network list-fields [fields]` */
export async function listNetworkFields(fields: readonly string[], opts: { headers: boolean; separator?: string }): Promise<void> {
  exitWith(await withClient((client) => genericListFields(client, 'network', fields, { header: opts.headers, separator: opts.separator })));
}

const INFO_FIELDS = ['name', 'network', 'gateway', 'network6', 'gateway6', 'mac_prefix', 'free_count', 'reserved_count', 'map', 'group_list', 'inst_list', 'external_reservations', 'serial_no', 'uuid'];

/** Python's str() of a value that may be missing (None). */
const str = (v: unknown) => (v === null || v === undefined ? 'None' : String(v));

/** Python's textwrap.wrap on blanks: lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** `gnt-network info [names]`: Ganeti's ShowNetworkConfig layout. */
export async function showNetworkInfo(names: readonly string[]): Promise<void> {
  const out: string[] = [];
  await withClient(async (client) => {
    const response = await client.query('network', INFO_FIELDS, makeSimpleFilter('name', names));
    for (const row of response.data) {
      const [name, network, gateway, network6, gateway6, macPrefix, free, reserved, map, groups, instances, extRes, serial, uuid] = row.map(([status, value]) => (status === 0 ? value : null));
      const size = Number(free) + Number(reserved);
      out.push(`Network name: ${str(name)}`, `UUID: ${str(uuid)}`, `Serial number: ${str(serial)}`);
      out.push(`  Subnet: ${str(network)}`, `  Gateway: ${str(gateway)}`, `  IPv6 Subnet: ${str(network6)}`, `  IPv6 Gateway: ${str(gateway6)}`, `  Mac Prefix: ${str(macPrefix)}`);
      out.push(`  Size: ${size}`, `  Free: ${str(free)} (${((100 * Number(free)) / size).toFixed(2)}%)`, '  Usage map:');
      const m = String(map ?? '');
      for (let idx = 0; idx < m.length; idx += 64) out.push(`     ${String(idx).padStart(4)} ${m.slice(idx, idx + 64).padEnd(64)} ${idx + 63}`);
      out.push('         (X) used    (.) free');
      if (extRes) {
        out.push('  externally reserved IPs:');
        for (const line of wrap(String(extRes), 64)) out.push(`    ${line}`);
      }
      const conns = (groups ?? []) as Connection[];
      if (conns.length) {
        out.push('  connected to node groups:');
        for (const [g, mode, link, vlan] of conns) out.push(`    ${g} (mode:${mode} link:${link} vlan:${vlan})`);
      } else out.push('  not connected to any node group');
      const insts = (instances ?? []) as string[];
      if (insts.length) {
        out.push(`  used by ${insts.length} instances:`);
        const nics = await client.query('instance', ['name', 'nic.ips', 'nic.networks'], makeSimpleFilter('name', insts));
        for (const [[, iname], [, ips], [, nets]] of nics.data as [[number, unknown], [number, unknown], [number, unknown]][]) {
          const mine = (ips as (string | null)[]).flatMap((ip, idx) => ((nets as (string | null)[])[idx] === uuid ? [`${idx}:${str(ip)}`] : []));
          out.push(`    ${String(iname)}: ${mine.join(', ')}`);
        }
      } else out.push('  not used by any instances');
    }
  });
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
}
