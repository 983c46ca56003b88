/**
 * `routed` NICs (Ganeti's net-routed-up): the host interface is up without an address, the
 * NIC's IP is routed to it (`proto static`; in routing table `link`, with a rule for traffic
 * from the interface, when link is set), and proxy ARP and forwarding are on for it.
 * Disconnecting removes the route and the rule.
 */
import { GanetiError, nicCommand, type AttachedNic, type NetworkProvider, type ProviderContext } from '../../../core/index.js';

const MODE = 'routed';
const table = (nic: AttachedNic): string[] => (nic.link ? ['table', nic.link] : []);

async function sysctl(ctx: ProviderContext, nic: AttachedNic, key: string): Promise<void> {
  // the slash form: interface names may hold dots
  await nicCommand(ctx, MODE, nic.iface, `set ${key}`, ['sysctl', '-q', '-w', `${key.replace('IFACE', nic.iface)}=1`]);
}

export const routed: NetworkProvider = {
  mode: MODE,
  params: { type: 'object', additionalProperties: false, properties: { mode: { type: 'string' }, link: { type: 'string' }, vlan: { type: 'string' } } },
  description: 'NICs reached through a host route and proxy ARP (link = routing table, optional)',

  checkNicParams(_nicparams, ip) {
    if (!ip) throw new GanetiError('GNT_NIC_PARAMS_INVALID', { mode: MODE, problem: 'Cannot set NIC mode to routed without an IP address' });
  },

  async connect(nic, _inst, ctx) {
    if (!nic.ip) throw new GanetiError('GNT_NIC_PARAMS_INVALID', { mode: MODE, problem: `Routed NIC ${nic.iface} but no IP address specified` });
    await nicCommand(ctx, MODE, nic.iface, 'bring it up', ['ip', 'link', 'set', 'dev', nic.iface, 'up']);
    if (nic.link) {
      while ((await ctx.run(['ip', 'rule', 'del', 'iif', nic.iface])).ok);
      await nicCommand(ctx, MODE, nic.iface, `add a rule to table ${nic.link}`, ['ip', 'rule', 'add', 'iif', nic.iface, 'table', nic.link]);
    }
    await nicCommand(ctx, MODE, nic.iface, `route ${nic.ip}`, ['ip', 'route', 'replace', nic.ip, ...table(nic), 'proto', 'static', 'dev', nic.iface]);
    await sysctl(ctx, nic, 'net/ipv4/conf/IFACE/proxy_arp');
    await sysctl(ctx, nic, 'net/ipv4/conf/IFACE/forwarding');
  },

  async disconnect(nic, _inst, ctx) {
    if (nic.ip) await ctx.run(['ip', 'route', 'del', nic.ip, ...table(nic), 'dev', nic.iface]);
    if (nic.link) while ((await ctx.run(['ip', 'rule', 'del', 'iif', nic.iface])).ok);
  },
};
