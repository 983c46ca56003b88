/**
 * `openvswitch` NICs (Ganeti's net-ovs-up): the host interface becomes a port of the switch
 * named by `link`, with the VLAN spec as access tag and trunks (`.100` → tag=100, `:100:200`
 * → trunks=100,200, `.100:200` → both). Disconnecting deletes the port.
 */
import { GanetiError, nicCommand, parseVlan, type NetworkProvider } from '../../../core/index.js';

const MODE = 'openvswitch';

export const openvswitch: NetworkProvider = {
  mode: MODE,
  params: { type: 'object', additionalProperties: false, properties: { mode: { type: 'string' }, link: { type: 'string' }, vlan: { type: 'string' } } },
  description: 'NICs as ports of an Open vSwitch bridge (link = the switch), VLAN tags and trunks',

  checkNicParams(nicparams) {
    if (!nicparams['link']) throw new GanetiError('GNT_NIC_PARAMS_INVALID', { mode: MODE, problem: 'an openvswitch NIC needs a link (the switch)' });
    parseVlan(String(nicparams['vlan'] ?? ''));
  },

  async verifyNode(link, ctx) {
    const r = await ctx.run(['ovs-vsctl', 'br-exists', link]);
    return r.ok ? null : `Open vSwitch bridge ${link} does not exist on node ${ctx.nodeName}${r.exitCode === 2 ? '' : `: ${r.all.trim()}`}`;
  },

  async connect(nic, _inst, ctx) {
    const { access, trunks } = parseVlan(nic.vlan);
    await ctx.run(['ovs-vsctl', '--if-exists', 'del-port', nic.iface]);
    await nicCommand(ctx, MODE, nic.iface, 'bring it up', ['ip', 'link', 'set', 'dev', nic.iface, 'up']);
    await nicCommand(ctx, MODE, nic.iface, `join switch ${nic.link}`, [
      'ovs-vsctl', 'add-port', nic.link, nic.iface,
      ...(access !== null ? [`tag=${access}`] : []),
      ...(trunks.length ? [`trunks=${trunks.join(',')}`] : []),
    ]);
  },

  async disconnect(nic, _inst, ctx) {
    await nicCommand(ctx, MODE, nic.iface, `leave switch ${nic.link}`, ['ovs-vsctl', '--if-exists', 'del-port', nic.link, nic.iface]);
  },
};
