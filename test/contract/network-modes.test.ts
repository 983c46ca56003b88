import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanetiError } from '../../core/errors/index.js';
import { boundRunner, run, runChecked } from '../../core/exec/index.js';
import type { RunOptions, Runner } from '../../core/exec/types.js';
import { ganetiPaths } from '../../core/paths.js';
import { memoryLogger } from '../../core/log.js';
import { PluginHost, builtinSpecs } from '../../core/plugin-host/index.js';
import type { AttachedNic, HvDisk, HvInstance, HypervisorProvider, NicConnector } from '../../core/contracts/hypervisor.js';
import type { NetworkProvider } from '../../core/contracts/network.js';
import type { ProviderContext } from '../../core/contracts/context.js';
import { testInstance } from './hypervisor.contract.js';
import { guestHvparams, testGuest, type Guest } from '../helpers/guest.js';

// The three NIC-mode plugins against real interfaces in a network namespace this test makes
// (gnt-net-<pid>): a Linux bridge, a routed tap with proxy ARP, an Open vSwitch bridge on the
// userspace datapath (its daemons started here with private paths). Each mode connects the
// tap of a real kvm guest (TCG, started by the kvm plugin with every command run inside the
// namespace), the guest pings the host through it, and disconnecting undoes the wiring.
const NS = `gnt-net-${process.pid}`;
const guest = await testGuest();
const ovsMissing = !existsSync('/usr/bin/ovs-vsctl') ? 'openvswitch-switch is not installed' : null;
const skip = typeof guest === 'string' ? guest : process.getuid?.() !== 0 ? 'network namespaces need root' : false;
if (skip) process.stdout.write(`# NIC mode tests skipped: ${skip}\n`);
if (!skip && ovsMissing) process.stdout.write(`# openvswitch NIC mode test skipped: ${ovsMissing}\n`);

let host: PluginHost;
let root: string;
let ovsDir: string;
const abort = new AbortController();
/** Every command of the plugins runs in the test's namespace; ovs-vsctl finds the test's switch. */
const nsRun: Runner = (argv, o: RunOptions = {}) => boundRunner(abort.signal)(['nsenter', `--net=/run/netns/${NS}`, '--', ...argv], { ...o, env: { ...o.env, OVS_RUNDIR: ovsDir } });
const ctx = (): ProviderContext => ({ signal: abort.signal, run: nsRun, log: memoryLogger(), paths: ganetiPaths(root), nodeName: 'node1.example.com' });
const ns = async (...argv: string[]) => {
  const r = await nsRun(argv);
  if (!r.ok) throw new Error(`${r.command}: ${r.all}`);
  return r.stdout;
};
const link = async (name: string) => (JSON.parse(await ns('ip', '-j', '-d', 'link', 'show', 'dev', name)) as { master?: string; mtu: number; address: string; flags: string[] }[])[0]!;
const net = (mode: string): NetworkProvider => host.networks.get(mode);
const connector = (p: NetworkProvider, inst: HvInstance, c: ProviderContext): NicConnector => ({
  connect: (nic) => p.connect(nic, inst, c),
  disconnect: (nic) => p.disconnect(nic, inst, c),
});
const nic = (over: Partial<AttachedNic>): AttachedNic => ({
  uuid: `0000000${process.pid % 10}-0000-4000-8000-000000000001`, name: null, mac: 'aa:00:00:12:34:56', ip: null, mode: 'bridged', link: '', vlan: '',
  nicparams: {}, network: null, index: 0, iface: 'tapx', ...over,
});

before(async () => {
  if (skip) return;
  root = await mkdtemp(join(tmpdir(), 'gnt-net-modes-'));
  ovsDir = join(root, 'ovs');
  host = new PluginHost({ paths: ganetiPaths(root), logFor: () => memoryLogger() });
  await host.load(builtinSpecs(['hypervisors/kvm', 'plugins/network/bridged', 'plugins/network/routed', 'plugins/network/openvswitch']));
  await runChecked(['ip', 'netns', 'add', NS]);
  await ns('ip', 'link', 'set', 'lo', 'up');
});
after(async () => {
  if (skip) return;
  abort.abort();
  for (const pidFile of ['ovs-vswitchd.pid', 'ovsdb-server.pid']) {
    const pid = Number(await readFile(join(ovsDir, pidFile), 'utf8').catch(() => '0'));
    if (pid > 0) process.kill(pid, 'SIGTERM');
  }
  // qemu processes of failed tests live in the namespace: kill them before it goes
  await run(['sh', '-c', `ip netns pids ${NS} | xargs -r kill -9`]);
  await run(['ip', 'netns', 'del', NS]);
  await rm(root, { recursive: true, force: true });
});

/** Boots the guest with one NIC of `mode`, waits for its ping verdict, stops it (disconnecting). */
async function pingThrough(mode: string, nicOver: Partial<AttachedNic>, kernelNet: string, check: (iface: string) => Promise<void>): Promise<{ log: string; iface: string }> {
  const hv: HypervisorProvider = host.hypervisors.get('kvm');
  const c = ctx();
  const n = nic({ mode, ...nicOver });
  const g = guest as Guest;
  const hvparams = guestHvparams(g, 'net', { kernel_args: `quiet gmode=net ${kernelNet}`, migration_port: 21000 + (process.pid % 5000) });
  const inst = testInstance('kvm', hvparams, { nics: [{ uuid: n.uuid, name: null, mac: n.mac, ip: n.ip, mode, link: n.link, vlan: n.vlan, nicparams: {}, network: null }] });
  const network = connector(net(mode), inst, c);
  const disks: HvDisk[] = [];
  await hv.start(inst, disks, { paused: false, network }, c);
  const serial = join(root, 'var/run/ganeti/kvm-hypervisor/ctrl', `${inst.name}.serial.log`);
  const iface = `gnt${inst.uuid.replace(/-/g, '').slice(0, 8)}.0`;
  await check(iface);
  let log = '';
  const end = Date.now() + 60_000;
  while (!/GUEST-PING-(OK|FAIL)/.test(log) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    log = await readFile(serial, 'utf8').catch(() => '');
  }
  await hv.stop(inst, { force: true, timeoutMs: 0, network }, c);
  await hv.cleanup(inst.name, { network }, c);
  return { log, iface };
}

describe('NIC modes: real interfaces, a kvm guest pinging the host', { skip }, () => {
  test('bridged: the tap joins the bridge with its MTU and an fe: MAC; the guest pings the bridge\'s address', async () => {
    await ns('ip', 'link', 'add', 'brt', 'type', 'bridge');
    await ns('ip', 'link', 'set', 'brt', 'mtu', '1400');
    await ns('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'brt');
    await ns('ip', 'link', 'set', 'brt', 'up');
    assert.equal(await net('bridged').verifyNode!('brt', ctx()), null);
    assert.match((await net('bridged').verifyNode!('nobr', ctx()))!, /bridge nobr does not exist on node node1\.example\.com/);
    const { log } = await pingThrough('bridged', { link: 'brt' }, 'gip=192.0.2.10/24 hip=192.0.2.1', async (iface) => {
      const l = await link(iface);
      assert.equal(l.master, 'brt');
      assert.equal(l.mtu, 1400);
      assert.match(l.address, /^fe:/);
      assert.ok(l.flags.includes('UP'));
    });
    assert.match(log, /GUEST-PING-OK 192\.0\.2\.1/, log.slice(-400));

    // disconnect releases a tap from the bridge; a VLAN needs VLAN filtering on the bridge
    await ns('ip', 'tuntap', 'add', 'dev', 'tapb', 'mode', 'tap');
    const p = net('bridged');
    const inst = testInstance('kvm');
    await p.connect(nic({ iface: 'tapb', link: 'brt' }), inst, ctx());
    assert.equal((await link('tapb')).master, 'brt');
    await p.disconnect(nic({ iface: 'tapb', link: 'brt' }), inst, ctx());
    assert.equal((await link('tapb')).master, undefined);
    await assert.rejects(p.connect(nic({ iface: 'tapb', link: 'brt', vlan: '.100' }), inst, ctx()), (e: unknown) => e instanceof GanetiError && e.code === 'GNT_NIC_CONNECT_FAILED' && /bridge brt has VLAN filtering disabled/.test(e.message));
    await assert.rejects(p.connect(nic({ iface: 'tapb', link: 'nobr' }), inst, ctx()), /there is no such bridge on this node/);
    await ns('ip', 'link', 'del', 'tapb');
  });

  test('routed: a /32 route (in table link when set) and proxy ARP; the guest pings the host', async () => {
    await ns('ip', 'addr', 'add', '198.51.100.1/32', 'dev', 'lo');
    const { log, iface } = await pingThrough('routed', { ip: '198.51.100.10' }, 'gip=198.51.100.10/32 hip=198.51.100.1 ggw=198.51.100.1', async (tap) => {
      assert.match(await ns('ip', 'route', 'show', '198.51.100.10'), new RegExp(`^198\\.51\\.100\\.10 dev ${tap.replace('.', '\\.')} proto static`));
      assert.equal((await ns('sysctl', '-n', `net/ipv4/conf/${tap}/proxy_arp`)).trim(), '1');
    });
    assert.match(log, /GUEST-PING-OK 198\.51\.100\.1/, log.slice(-400));
    assert.equal(await ns('ip', 'route', 'show', '198.51.100.10'), '', `the route to ${iface} is gone after the stop`);

    // with link: the route goes to that table, with a rule for the interface; disconnect removes both
    await ns('ip', 'tuntap', 'add', 'dev', 'tapr', 'mode', 'tap');
    const p = net('routed');
    const inst = testInstance('kvm');
    const n = nic({ iface: 'tapr', mode: 'routed', ip: '198.51.100.20', link: '100' });
    await p.connect(n, inst, ctx());
    assert.match(await ns('ip', 'route', 'show', 'table', '100'), /^198\.51\.100\.20 dev tapr proto static/);
    assert.match(await ns('ip', 'rule', 'show'), /iif tapr lookup 100/);
    await p.disconnect(n, inst, ctx());
    assert.equal(await ns('ip', 'route', 'show', 'table', '100'), '');
    assert.doesNotMatch(await ns('ip', 'rule', 'show'), /iif tapr/);
    assert.throws(() => p.checkNicParams!({ mode: 'routed', link: '' }, null), /Cannot set NIC mode to routed without an IP address/);
    await ns('ip', 'link', 'del', 'tapr');
  });

  test('openvswitch: a port with the VLAN tag on a userspace-datapath switch; the guest pings the host through VLAN 100', { skip: ovsMissing ?? false }, async () => {
    await runChecked(['mkdir', '-p', ovsDir]);
    const env = { OVS_RUNDIR: ovsDir, OVS_DBDIR: ovsDir, OVS_LOGDIR: ovsDir };
    const schema = '/usr/share/openvswitch/vswitch.ovsschema';
    await runChecked(['ovsdb-tool', 'create', join(ovsDir, 'conf.db'), schema]);
    const sock = `unix:${join(ovsDir, 'db.sock')}`;
    const daemon = async (argv: string[]) => {
      const r = await nsRun(argv, { env });
      if (!r.ok) throw new Error(`${r.command}: ${r.all}`);
    };
    await daemon(['ovsdb-server', join(ovsDir, 'conf.db'), `--remote=p${sock}`, `--pidfile=${join(ovsDir, 'ovsdb-server.pid')}`, `--unixctl=${join(ovsDir, 'ovsdb-server.ctl')}`, `--log-file=${join(ovsDir, 'ovsdb-server.log')}`, '--detach']);
    await daemon(['ovs-vsctl', '--no-wait', 'init']);
    await daemon(['ovs-vswitchd', sock, `--pidfile=${join(ovsDir, 'ovs-vswitchd.pid')}`, `--unixctl=${join(ovsDir, 'ovs-vswitchd.ctl')}`, `--log-file=${join(ovsDir, 'ovs-vswitchd.log')}`, '--detach']);
    await daemon(['ovs-vsctl', 'add-br', 'brovs', '--', 'set', 'bridge', 'brovs', 'datapath_type=netdev']);
    await daemon(['ovs-vsctl', 'set', 'port', 'brovs', 'tag=100']);
    await ns('ip', 'addr', 'add', '203.0.113.1/24', 'dev', 'brovs');
    await ns('ip', 'link', 'set', 'brovs', 'up');
    assert.equal(await net('openvswitch').verifyNode!('brovs', ctx()), null);
    assert.match((await net('openvswitch').verifyNode!('nosw', ctx()))!, /Open vSwitch bridge nosw does not exist/);
    const { log, iface } = await pingThrough('openvswitch', { link: 'brovs', vlan: '.100' }, 'gip=203.0.113.10/24 hip=203.0.113.1', async (tap) => {
      assert.equal((await ns('ovs-vsctl', 'get', 'port', tap, 'tag')).trim(), '100');
    });
    assert.match(log, /GUEST-PING-OK 203\.0\.113\.1/, log.slice(-400));
    assert.doesNotMatch(await ns('ovs-vsctl', 'list-ports', 'brovs'), new RegExp(iface.replace('.', '\\.')), 'the port is gone after the stop');

    // trunks: ":200:300" tags nothing and trunks both
    await ns('ip', 'tuntap', 'add', 'dev', 'tapo', 'mode', 'tap');
    const n = nic({ iface: 'tapo', mode: 'openvswitch', link: 'brovs', vlan: ':200:300' });
    await net('openvswitch').connect(n, testInstance('kvm'), ctx());
    assert.equal((await ns('ovs-vsctl', 'get', 'port', 'tapo', 'trunks')).trim(), '[200, 300]');
    assert.equal((await ns('ovs-vsctl', 'get', 'port', 'tapo', 'tag')).trim(), '[]');
    await net('openvswitch').disconnect(n, testInstance('kvm'), ctx());
    assert.equal((await ns('ovs-vsctl', 'list-ports', 'brovs')).trim(), '');
    await ns('ip', 'link', 'del', 'tapo');
  });
});
