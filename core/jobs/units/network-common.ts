import type { FrozenConfig } from '../../config/index.js';
import type { HookEnvValue, HookNodes } from '../logical-unit.js';

/** What the network units share: the hook environment and where hooks run. */

/** Ganeti's _BuildNetworkHookEnv: only the values that are set. */
export function networkHookEnv(n: {
  name: string;
  network?: string | null | undefined;
  gateway?: string | null | undefined;
  network6?: string | null | undefined;
  gateway6?: string | null | undefined;
  mac_prefix?: string | null | undefined;
  tags?: readonly string[] | undefined;
}): Record<string, HookEnvValue> {
  const env: Record<string, HookEnvValue> = { NETWORK_NAME: n.name };
  if (n.network) env['NETWORK_SUBNET'] = n.network;
  if (n.gateway) env['NETWORK_GATEWAY'] = n.gateway;
  if (n.network6) env['NETWORK_SUBNET6'] = n.network6;
  if (n.gateway6) env['NETWORK_GATEWAY6'] = n.gateway6;
  if (n.mac_prefix) env['NETWORK_MAC_PREFIX'] = n.mac_prefix;
  if (n.tags?.length) env['NETWORK_TAGS'] = n.tags.join(' ');
  return env;
}

/** Connect and disconnect run their hooks on the group's nodes. */
export function groupMemberHookNodes(data: FrozenConfig, groupUuid: string): HookNodes {
  const members = Object.values(data.nodes).filter((n) => n.group === groupUuid).map((n) => n.uuid);
  return { pre: members, post: members };
}

/** Names of the instances whose primary node is in the group (their NICs are checked). */
export const groupInstances = (data: FrozenConfig, groupUuid: string) => Object.values(data.instances).filter((i) => data.nodes[i.primary_node]?.group === groupUuid);
