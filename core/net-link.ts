/**
 * For network plugins (exported from core): the `ip` tool as they use it, through the
 * provider's runner, so that it acts in the node daemon's network namespace (sysfs and
 * procfs may show another one).
 */
import type { ProviderContext } from './contracts/context.js';
import { GanetiError } from './errors/index.js';

/** One link as `ip -j -d link show` describes it (the fields plugins read). */
export interface LinkInfo {
  readonly ifname: string;
  readonly mtu: number;
  readonly address?: string;
  readonly master?: string;
  readonly flags?: readonly string[];
  readonly linkinfo?: { readonly info_kind?: string; readonly info_data?: Readonly<Record<string, unknown>> };
}

/** The link, or null when there is none of that name. */
export async function linkInfo(ctx: ProviderContext, name: string): Promise<LinkInfo | null> {
  const r = await ctx.run(['ip', '-j', '-d', 'link', 'show', 'dev', name]);
  if (!r.ok) return null;
  return (JSON.parse(r.stdout) as LinkInfo[])[0] ?? null;
}

/** Runs a command for a NIC; a failure is GNT_NIC_CONNECT_FAILED quoting its output. */
export async function nicCommand(ctx: ProviderContext, mode: string, iface: string, action: string, argv: readonly string[]): Promise<void> {
  const r = await ctx.run(argv);
  if (!r.ok) throw new GanetiError('GNT_NIC_CONNECT_FAILED', { mode, iface, action, reason: r.all.trim() || `${argv[0]} exited with code ${r.exitCode}` });
}

/** Ganeti's fix_mac: the interface's MAC with `fe` as first octet, so a bridge never takes it as its own. */
export async function fixMac(ctx: ProviderContext, iface: string): Promise<void> {
  const link = await linkInfo(ctx, iface);
  if (link?.address && /^[0-9a-f]{2}:/.test(link.address)) await ctx.run(['ip', 'link', 'set', 'dev', iface, 'address', `fe${link.address.slice(2)}`]);
}

/**
 * Ganeti's VLAN syntax (`100`, `.100`, `:100:200`, `.100:200:300`): the untagged (access)
 * VLAN, unless the value starts with a colon, and the tagged ones after it.
 */
export function parseVlan(vlan: string): { access: number | null; trunks: number[] } {
  if (!vlan) return { access: null, trunks: [] };
  if (!/^(\.?\d+|:\d+)(:\d+)*$/.test(vlan)) throw new GanetiError('GNT_NIC_PARAMS_INVALID', { mode: 'vlan', problem: `'${vlan}' is not a VLAN spec (100, .100, :100:200 or .100:200:300)` });
  const parts = vlan.split(':');
  const first = parts.shift()!;
  const access = first === '' ? null : Number(first.replace(/^\./, ''));
  return { access, trunks: parts.map(Number) };
}
