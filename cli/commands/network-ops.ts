import { GanetiError } from '../../core/errors/index.js';
import { DEFAULT_NICPARAMS } from '../../core/cluster/defaults.js';
import { submitAndWait, type OpcodeOptions } from '../common/luxi.js';
import { parseKeyValues } from '../common/params.js';
import { CliExit } from '../common/program.js';
import { EXIT } from '../common/exit-codes.js';
import { withClient } from './node.js';

/** The opcode-submitting actions of gnt-network (Ganeti's gnt_network.py); gnt-network.ts declares the options. */

export interface NetworkParamOptions extends OpcodeOptions {
  gateway?: string;
  network6?: string;
  gateway6?: string;
  macPrefix?: string;
  addReservedIps?: string;
  removeReservedIps?: string;
}

const source = (command: string) => ({ binary: 'gnt-network', command });

/** Ganeti's _HandleReservedIPs: absent → null, empty → [], else the comma-separated list. */
const reservedIps = (v: string | undefined): string[] | null => (v === undefined ? null : v === '' ? [] : v.split(',').map((s) => s.trim()));

/** `gnt-network add --network CIDR [options] NAME` */
export async function addNetwork(name: string, o: NetworkParamOptions & { network?: string; conflictsCheck?: boolean; tags?: string }): Promise<void> {
  if (o.network === undefined) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: 'The --network option must be given' });
  await submitAndWait(
    [
      {
        OP_ID: 'OP_NETWORK_ADD',
        network_name: name,
        network: o.network,
        gateway: o.gateway ?? null,
        network6: o.network6 ?? null,
        gateway6: o.gateway6 ?? null,
        mac_prefix: o.macPrefix ?? null,
        add_reserved_ips: reservedIps(o.addReservedIps),
        conflicts_check: o.conflictsCheck !== false,
        tags: o.tags ? o.tags.split(',') : [],
      },
    ],
    o,
    source('add'),
  );
}

/** `gnt-network modify [options] NETWORK`: nothing given is Ganeti's "Please give at least one of the parameters." */
export async function modifyNetwork(name: string, o: NetworkParamOptions): Promise<void> {
  const changes = {
    gateway: o.gateway ?? null,
    add_reserved_ips: reservedIps(o.addReservedIps),
    remove_reserved_ips: reservedIps(o.removeReservedIps),
    mac_prefix: o.macPrefix ?? null,
    gateway6: o.gateway6 ?? null,
    network6: o.network6 ?? null,
  };
  if (Object.values(changes).every((v) => v === null)) {
    process.stderr.write('Please give at least one of the parameters.\n');
    throw new CliExit(EXIT.FAILURE);
  }
  await submitAndWait([{ OP_ID: 'OP_NETWORK_SET_PARAMS', network_name: name, ...changes }], o, source('modify'));
}

/** `gnt-network remove NETWORK` */
export async function removeNetwork(name: string, o: OpcodeOptions & { force?: boolean }): Promise<void> {
  await submitAndWait([{ OP_ID: 'OP_NETWORK_REMOVE', network_name: name, force: o.force ?? false }], o, source('remove'));
}

/** The groups named, or every group (Ganeti's _GetDefaultGroups). */
async function groupsOrAll(groups: readonly string[]): Promise<string[]> {
  if (groups.length) return [...groups];
  const r = await withClient((client) => client.query('group', ['name'], null));
  return r.data.map((row) => String(row[0]?.[1]));
}

/** `gnt-network connect [-N mode=..,link=..,vlan=..] NETWORK [GROUP...]`: one job a group, in turn. */
export async function connectNetwork(name: string, groups: string[], o: OpcodeOptions & { nicParameters?: string; conflictsCheck?: boolean }): Promise<void> {
  const given = parseKeyValues(o.nicParameters, '--nic-parameters');
  for (const k of Object.keys(given)) if (!['mode', 'link', 'vlan'].includes(k)) throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `--nic-parameters: unknown NIC parameter '${k}' (known: mode, link, vlan)` });
  const p = { ...DEFAULT_NICPARAMS, ...given };
  for (const group of await groupsOrAll(groups)) {
    await submitAndWait(
      [{ OP_ID: 'OP_NETWORK_CONNECT', group_name: group, network_name: name, network_mode: String(p.mode), network_link: String(p.link), network_vlan: String(p.vlan ?? ''), conflicts_check: o.conflictsCheck !== false }],
      o,
      source('connect'),
    );
  }
}

/** `gnt-network disconnect NETWORK [GROUP...]` */
export async function disconnectNetwork(name: string, groups: string[], o: OpcodeOptions): Promise<void> {
  for (const group of await groupsOrAll(groups)) await submitAndWait([{ OP_ID: 'OP_NETWORK_DISCONNECT', group_name: group, network_name: name }], o, source('disconnect'));
}
