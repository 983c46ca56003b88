/**
 * `bridged` NICs (Ganeti's net-bridged-up): the host interface gets a MAC starting with fe,
 * is brought up with the bridge's MTU and enslaved to the bridge named by `link`; a VLAN
 * needs a VLAN-filtering bridge and is added with `bridge vlan` (the untagged one as pvid).
 * Disconnecting releases it from the bridge.
 */
import { GanetiError, fixMac, linkInfo, nicCommand, parseVlan, type NetworkProvider } from '../../../core/index.js';

const MODE = 'bridged';

export const bridged: NetworkProvider = {
  mode: MODE,
  params: { type: 'object', additionalProperties: false, properties: { mode: { type: 'string' }, link: { type: 'string' }, vlan: { type: 'string' } } },
  description: 'NICs joined to a Linux bridge (link = the bridge)',

  checkNicParams(nicparams) {
    if (!nicparams['link']) throw new GanetiError('GNT_NIC_PARAMS_INVALID', { mode: MODE, problem: 'a bridged NIC needs a link (the bridge)' });
    parseVlan(String(nicparams['vlan'] ?? ''));
  },

  async verifyNode(link, ctx) {
    const br = await linkInfo(ctx, link);
    return br?.linkinfo?.info_kind === 'bridge' ? null : `bridge ${link} ${br ? 'is not a bridge' : 'does not exist'} on node ${ctx.nodeName}`;
  },

  async connect(nic, _inst, ctx) {
    const br = await linkInfo(ctx, nic.link);
    if (br?.linkinfo?.info_kind !== 'bridge') throw new GanetiError('GNT_NIC_CONNECT_FAILED', { mode: MODE, iface: nic.iface, action: `join bridge ${nic.link}`, reason: br ? 'it is not a bridge' : 'there is no such bridge on this node' });
    await fixMac(ctx, nic.iface);
    await nicCommand(ctx, MODE, nic.iface, 'bring it up', ['ip', 'link', 'set', 'dev', nic.iface, 'up']);
    await nicCommand(ctx, MODE, nic.iface, `take the MTU of ${nic.link}`, ['ip', 'link', 'set', 'dev', nic.iface, 'mtu', String(br.mtu)]);
    await nicCommand(ctx, MODE, nic.iface, `join bridge ${nic.link}`, ['ip', 'link', 'set', 'dev', nic.iface, 'master', nic.link]);
    const { access, trunks } = parseVlan(nic.vlan);
    if (access === null && trunks.length === 0) return;
    if (br.linkinfo?.info_data?.['vlan_filtering'] !== 1)
      throw new GanetiError('GNT_NIC_CONNECT_FAILED', { mode: MODE, iface: nic.iface, action: `use VLAN ${nic.vlan}`, reason: `bridge ${nic.link} has VLAN filtering disabled` });
    if (access !== null) await nicCommand(ctx, MODE, nic.iface, `add VLAN ${access}`, ['bridge', 'vlan', 'add', 'dev', nic.iface, 'vid', String(access), 'pvid', 'untagged', 'master']);
    for (const vid of trunks) await nicCommand(ctx, MODE, nic.iface, `add VLAN ${vid}`, ['bridge', 'vlan', 'add', 'dev', nic.iface, 'vid', String(vid), 'master']);
  },

  async disconnect(nic, _inst, ctx) {
    const link = await linkInfo(ctx, nic.iface);
    if (link?.master) await nicCommand(ctx, MODE, nic.iface, `leave bridge ${link.master}`, ['ip', 'link', 'set', 'dev', nic.iface, 'nomaster']);
  },
};
