import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// gnt-network and instance NICs on network address pools, through the whole path:
// gnt-network / gnt-instance → LUXI → masterd job → network units → config.data.
// Two node daemons at 127.0.28.1-2, the fake hypervisor, diskless instances.
let cluster: LoopbackCluster;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const net = (...args: string[]) => cli('gnt-network', ...args);
const inst = (...args: string[]) => cli('gnt-instance', ...args);

interface Net {
  uuid: string;
  name: string;
  network: string;
  gateway: string | null;
  mac_prefix: string | null;
  reservations: string;
  ext_reservations: string;
  tags: string[];
  serial_no: number;
}
type Cfg = {
  serial_no: number;
  networks: Record<string, Net>;
  nodegroups: Record<string, { name: string; networks: Record<string, Record<string, string>> }>;
  instances: Record<string, { name: string; nics: { ip: string | null; network: string | null; nicparams: Record<string, string> }[] }>;
};
const config = () => JSON.parse(readFileSync(cluster.paths[0]!.configData, 'utf8')) as Cfg;
const network = (name: string) => Object.values(config().networks).find((n) => n.name === name);
const instance = (name: string) => Object.values(config().instances).find((i) => i.name === name);
const defaultGroup = () => Object.values(config().nodegroups).find((g) => g.name === 'default')!;
/** Addresses (last octet) set in a `0`/`1` map. */
const set = (map: string) => [...map].flatMap((c, i) => (c === '1' ? [i] : []));
const addInstance = (name: string, nic: string) => inst('add', '-t', 'diskless', '--no-start', '--no-install', '-n', 'node1.example.org', '--net', `0:${nic}`, name);

/** A refusal: exit 1, the code and field on stderr, and the config not written. */
async function refused(p: Promise<{ code: number | null; stderr: string; all: string }>, code: string, text: RegExp): Promise<void> {
  const before = config().serial_no;
  const r = await p;
  assert.equal(r.code, 1, r.all);
  assert.match(r.stderr, new RegExp(code), r.all);
  assert.match(r.stderr, text, r.all);
  assert.equal(config().serial_no, before, 'the config is unchanged');
}

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: `gnt-network-${process.pid}-`,
    masterd: true,
    keyType: 'ec',
    enabledDiskTemplates: ['diskless', 'file'],
    nodes: [
      { name: 'node1.example.org', ip: '127.0.28.1' },
      { name: 'node2.example.org', ip: '127.0.28.2' },
    ],
  });
});
after(() => cluster?.destroy());

describe('gnt-network with address pools (loopback cluster, fake hypervisor)', () => {
  test('--help on every command', async () => {
    for (const c of ['add', 'remove', 'list', 'list-fields', 'info', 'modify', 'connect', 'disconnect']) {
      const r = await net(c, '--help');
      assert.equal(r.code, 0, `${c}: ${r.all}`);
      assert.match(r.stdout, new RegExp(`Usage: gnt-network ${c}`));
    }
    assert.match((await net('add', '--help')).stdout, /--network <cidr>[\s\S]*--gateway[\s\S]*--network6[\s\S]*--gateway6[\s\S]*--mac-prefix[\s\S]*--add-reserved-ips[\s\S]*--no-conflicts-check/);
    assert.match((await net('connect', '--help')).stdout, /-N, --nic-parameters/);
  });

  test('add: network, broadcast, gateway and --add-reserved-ips are external reservations', async () => {
    const r = await net('add', '--network', '10.28.0.0/28', '--gateway', '10.28.0.1', '--add-reserved-ips', '10.28.0.5', '--mac-prefix', 'AA:28:00', '--tags', 'red,blue', 'net1');
    assert.equal(r.code, 0, r.all);
    const n = network('net1')!;
    assert.equal(n.network, '10.28.0.0/28');
    assert.equal(n.gateway, '10.28.0.1');
    assert.equal(n.mac_prefix, 'aa:28:00');
    assert.deepEqual(n.tags, ['red', 'blue']);
    assert.deepEqual(set(n.ext_reservations), [0, 1, 5, 15]);
    assert.equal(n.reservations, '0'.repeat(16));
  });

  test("add with the conflicts check reserves the nodes' addresses in the range", async () => {
    const r = await net('add', '--network', '127.0.28.0/29', 'lo28');
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /Reserved IP address of node 'node1\.example\.org' \(127\.0\.28\.1\)/);
    assert.match(r.stdout, /Reserved IP address of node 'node2\.example\.org' \(127\.0\.28\.2\)/);
    assert.ok(set(network('lo28')!.ext_reservations).includes(1) && set(network('lo28')!.ext_reservations).includes(2));
    assert.equal((await net('remove', 'lo28')).code, 0);
    assert.equal(network('lo28'), undefined);
  });

  test('bad input to add: coded messages, nothing written', async () => {
    await refused(net('add', '--network', '10.28.0.0/24', 'overlap'), 'GNT_NETWORK_OVERLAP', /network: 10\.28\.0\.0\/24 overlaps network 'net1' \(10\.28\.0\.0\/28\)/);
    await refused(net('add', '--network', '10.28.0.1/24', 'bad'), 'GNT_NETWORK_INVALID', /network: '10\.28\.0\.1\/24' has host bits set/);
    await refused(net('add', '--network', '10.28.0/24', 'bad'), 'GNT_NETWORK_INVALID', /is not an IPv4 network in CIDR notation/);
    await refused(net('add', '--network', '10.28.8.0/24', '--gateway', '10.28.8', 'bad'), 'GNT_NETWORK_INVALID', /gateway: '10\.28\.8' is not an IPv4 address/);
    await refused(net('add', '--network', '10.28.8.0/24', '--gateway', '10.28.9.1', 'bad'), 'GNT_NETWORK_ADDRESS_OUTSIDE', /gateway: address 10\.28\.9\.1 is not in network 'bad'/);
    await refused(net('add', '--network', '10.28.8.0/24', '--add-reserved-ips', '10.28.8.0', 'bad'), 'GNT_NETWORK_ADDRESS_TAKEN', /add_reserved_ips: address 10\.28\.8\.0 of network 'bad' is already externally reserved/);
    await refused(net('add', '--network', '10.28.8.0/24', 'net1'), 'GNT_NETWORK_EXISTS', /network_name: network 'net1' already exists/);
    const missing = await net('add', 'bad');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /The --network option must be given/);
    // the overlap check is ours and goes with the conflicts check
    const forced = await net('add', '--no-conflicts-check', '--network', '10.28.0.0/24', 'overlap');
    assert.equal(forced.code, 0, forced.all);
    assert.equal((await net('remove', 'overlap')).code, 0);
  });

  test('modify: reservations, MAC prefix; nothing to change is refused', async () => {
    let r = await net('modify', '--add-reserved-ips', '10.28.0.6,10.28.0.7', '--remove-reserved-ips', '10.28.0.5', 'net1');
    assert.equal(r.code, 0, r.all);
    assert.deepEqual(set(network('net1')!.ext_reservations), [0, 1, 6, 7, 15]);
    r = await net('modify', '--remove-reserved-ips', '10.28.0.7', '--mac-prefix', 'aa:28:01', 'net1');
    assert.equal(r.code, 0, r.all);
    assert.deepEqual(set(network('net1')!.ext_reservations), [0, 1, 6, 15]);
    assert.equal(network('net1')!.mac_prefix, 'aa:28:01');
    r = await net('modify', 'net1');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Please give at least one of the parameters.\n');
    await refused(net('modify', '--gateway', '10.28.0.2', '--add-reserved-ips', '10.28.0.3', 'net1'), 'GNT_NETWORK_INVALID', /cannot be changed together with the reserved addresses/);
    await refused(net('modify', '--gateway', '10.28.1.1', 'net1'), 'GNT_NETWORK_ADDRESS_OUTSIDE', /gateway: address 10\.28\.1\.1 is not in network 'net1'/);
    await refused(net('modify', '--gateway', '1.2.3.4', 'nonet'), 'GNT_NETWORK_NOT_FOUND', /network_name: network 'nonet' not found/);
  });

  test('connect with -N; unknown group refused; list shows the connection', async () => {
    await refused(net('connect', '-N', 'mode=bridged,link=br28', 'net1', 'nogroup'), 'GNT_GROUP_NOT_FOUND', /group_name: node group 'nogroup' not found/);
    const r = await net('connect', '-N', 'mode=bridged,link=br28', 'net1', 'default');
    assert.equal(r.code, 0, r.all);
    assert.deepEqual(defaultGroup().networks[network('net1')!.uuid], { mode: 'bridged', link: 'br28', vlan: '' });
    const list = await net('list');
    assert.equal(list.code, 0, list.all);
    assert.deepEqual(list.stdout.trimEnd().split('\n').map((l) => l.trimEnd()), [
      'Network Subnet       Gateway   MacPrefix GroupList                 Tags',
      'net1    10.28.0.0/28 10.28.0.1 aa:28:01  default (bridged, br28, ) red,blue',
    ]);
    const sep = await net('list', '--no-headers', '--separator=|', '-o', 'name,free_count,reserved_count,group_cnt,inst_cnt,map');
    assert.equal(sep.stdout, 'net1|12|4|1|0|XX....X........X\n');
    const fields = await net('list-fields', 'free_count', 'external_reservations');
    assert.equal(fields.code, 0, fields.all);
    assert.match(fields.stdout, /free_count\s+Number\s+FreeCount\s+Number of available addresses/);
    assert.equal((await net('list', '-o', 'name,colour')).code, 14);
  });

  test('instance add: ip=pool takes the first free address and the connection\'s mode/link; ip=ADDR reserves it', async () => {
    let r = await addInstance('inst1.example.org', 'ip=pool,network=net1');
    assert.equal(r.code, 0, r.all);
    let nic = instance('inst1.example.org')!.nics[0]!;
    assert.equal(nic.ip, '10.28.0.2');
    assert.equal(nic.network, network('net1')!.uuid);
    assert.deepEqual(nic.nicparams, { mode: 'bridged', link: 'br28', vlan: '' });
    r = await addInstance('inst2.example.org', 'ip=10.28.0.9,network=net1');
    assert.equal(r.code, 0, r.all);
    assert.equal(instance('inst2.example.org')!.nics[0]!.ip, '10.28.0.9');
    assert.deepEqual(set(network('net1')!.reservations), [2, 9]);
    // refusals: nothing created
    await refused(addInstance('bad.example.org', 'ip=10.28.0.9,network=net1'), 'GNT_NETWORK_ADDRESS_TAKEN', /nics\[0\]\.ip: address 10\.28\.0\.9 of network 'net1' is already used by an instance/);
    await refused(addInstance('bad.example.org', 'ip=10.28.0.6,network=net1'), 'GNT_NETWORK_ADDRESS_TAKEN', /already externally reserved/);
    await refused(addInstance('bad.example.org', 'ip=10.28.1.9,network=net1'), 'GNT_NETWORK_ADDRESS_OUTSIDE', /nics\[0\]\.ip: address 10\.28\.1\.9 is not in network 'net1' \(10\.28\.0\.0\/28\)/);
    await refused(addInstance('bad.example.org', 'ip=pool'), 'GNT_INSTANCE_SPEC_INVALID', /ip=pool needs the network parameter/);
    await refused(addInstance('bad.example.org', 'ip=10.28.0.11'), 'GNT_NETWORK_IP_CONFLICT', /nics\[0\]\.ip: address 10\.28\.0\.11 belongs to network 'net1' \(connected to node group 'default'\)/);
    await refused(addInstance('bad.example.org', 'ip=pool,network=net1,mode=routed'), 'GNT_NETWORK_INVALID', /nics\[0\]\.mode/);
    assert.equal(instance('bad.example.org'), undefined);
    // info: Ganeti's layout
    const info = await net('info', 'net1');
    assert.equal(info.code, 0, info.all);
    const uuid = network('net1')!.uuid;
    assert.equal(
      info.stdout,
      [
        'Network name: net1',
        `UUID: ${uuid}`,
        `Serial number: ${network('net1')!.serial_no}`,
        '  Subnet: 10.28.0.0/28',
        '  Gateway: 10.28.0.1',
        '  IPv6 Subnet: None',
        '  IPv6 Gateway: None',
        '  Mac Prefix: aa:28:01',
        '  Size: 16',
        '  Free: 10 (62.50%)',
        '  Usage map:',
        `        0 ${'XXX...X..X.....X'.padEnd(64)} 63`,
        '         (X) used    (.) free',
        '  externally reserved IPs:',
        '    10.28.0.0, 10.28.0.1, 10.28.0.6, 10.28.0.15',
        '  connected to node groups:',
        '    default (mode:bridged link:br28 vlan:)',
        '  used by 2 instances:',
        '    inst1.example.org: 0:10.28.0.2',
        '    inst2.example.org: 0:10.28.0.9',
        '',
      ].join('\n'),
    );
  });

  test('instance modify --net moves the reservation; remove releases it; ip=pool then takes it again', async () => {
    let r = await inst('modify', '--net', '0:ip=10.28.0.10', 'inst2.example.org');
    assert.equal(r.code, 0, r.all);
    assert.deepEqual(set(network('net1')!.reservations), [2, 10]);
    await refused(inst('modify', '--net', '0:ip=10.28.0.2', 'inst2.example.org'), 'GNT_NETWORK_ADDRESS_TAKEN', /address 10\.28\.0\.2 of network 'net1' is already used by an instance/);
    r = await inst('remove', '-f', 'inst1.example.org');
    assert.equal(r.code, 0, r.all);
    assert.deepEqual(set(network('net1')!.reservations), [10]);
    r = await addInstance('inst3.example.org', 'ip=pool,network=net1');
    assert.equal(r.code, 0, r.all);
    assert.equal(instance('inst3.example.org')!.nics[0]!.ip, '10.28.0.2');
  });

  test('disconnect and remove are refused while in use; an exhausted pool is refused', async () => {
    await refused(net('disconnect', 'net1', 'default'), 'GNT_NETWORK_IN_USE', /cannot disconnect from node group 'default': in use by inst2\.example\.org: nic0\/10\.28\.0\.10; inst3\.example\.org: nic0\/10\.28\.0\.2/);
    await refused(net('remove', 'net1'), 'GNT_NETWORK_CONNECTED', /network 'net1' is still connected to node group\(s\) default/);
    await refused(net('remove', '-f', 'net1'), 'GNT_NETWORK_CONNECTED', /still connected/);
    // a /30 with a gateway has one free address
    assert.equal((await net('add', '--network', '10.28.1.0/30', '--gateway', '10.28.1.1', 'tiny')).code, 0);
    await refused(addInstance('bad.example.org', 'ip=pool,network=tiny'), 'GNT_NETWORK_NOT_CONNECTED', /network 'tiny' is not connected to node group 'default' of node node1\.example\.org/);
    assert.equal((await net('connect', '-N', 'mode=routed,link=rt28', 'tiny')).code, 0);
    const r = await addInstance('inst4.example.org', 'ip=pool,network=tiny');
    assert.equal(r.code, 0, r.all);
    assert.equal(instance('inst4.example.org')!.nics[0]!.ip, '10.28.1.2');
    await refused(addInstance('bad.example.org', 'ip=pool,network=tiny'), 'GNT_NETWORK_POOL_FULL', /nics\[0\]\.ip: no free address left in network 'tiny' \(10\.28\.1\.0\/30\)/);
  });

  test('clean-up through the CLI: instances removed, networks disconnected and removed', async () => {
    for (const i of ['inst2.example.org', 'inst3.example.org', 'inst4.example.org']) assert.equal((await inst('remove', '-f', i)).code, 0);
    assert.equal(network('net1')!.reservations, '0'.repeat(16));
    assert.equal(network('tiny')!.reservations, '0000');
    for (const n of ['net1', 'tiny']) {
      const d = await net('disconnect', n);
      assert.equal(d.code, 0, d.all);
      const r = await net('remove', n);
      assert.equal(r.code, 0, r.all);
    }
    assert.deepEqual(config().networks, {});
    assert.deepEqual(defaultGroup().networks, {});
    assert.equal((await net('list', '--no-headers')).stdout, '');
  });

  test('NIC mode and link at three levels: the cluster\'s, the group\'s network connection, the NIC\'s own; the mode\'s plugin checks them', async () => {
    assert.equal((await net('add', '--network', '10.28.2.0/24', 'lvl')).code, 0);
    assert.equal((await net('connect', '-N', 'mode=routed,link=100', 'lvl', 'default')).code, 0);
    assert.equal((await cli('gnt-cluster', 'modify', '-N', 'mode=openvswitch,link=sw28')).code, 0);
    const add = await inst('add', '-t', 'diskless', '--no-start', '--no-install', '-n', 'node1.example.org', '--net', '0:ip=pool,network=lvl', '--net', '1:mac=auto', '--net', '2:mode=bridged,link=br9', 'lv1.example.org');
    assert.equal(add.code, 0, add.all);
    const list = await inst('list', '--no-headers', '--separator=|', '-o', 'nic.modes,nic.links', 'lv1.example.org');
    assert.equal(list.stdout, 'routed,openvswitch,bridged|100,sw28,br9\n', 'group connection, cluster default, own');
    await refused(inst('add', '-t', 'diskless', '--no-start', '--no-install', '-n', 'node1.example.org', '--net', '0:mode=routed', 'lv2.example.org'), 'GNT_NIC_PARAMS_INVALID', /NIC mode routed: NIC 0: Cannot set NIC mode to routed without an IP address/);
    assert.equal((await inst('remove', '-f', 'lv1.example.org')).code, 0);
    assert.equal((await cli('gnt-cluster', 'modify', '-N', 'mode=bridged,link=xen-br0')).code, 0);
    assert.equal((await net('disconnect', 'lvl')).code, 0);
    assert.equal((await net('remove', 'lvl')).code, 0);
  });

  test('IPv6: a network with network6 and gateway6, shown by list and info; bad IPv6 refused', async () => {
    const add = await net('add', '--network', '10.28.3.0/24', '--network6', '2001:db8:28::/64', '--gateway6', '2001:db8:28::1', 'v6net');
    assert.equal(add.code, 0, add.all);
    assert.equal((await net('list', '--no-headers', '--separator=|', '-o', 'name,network6,gateway6', 'v6net')).stdout, 'v6net|2001:db8:28::/64|2001:db8:28::1\n');
    assert.match((await net('info', 'v6net')).stdout, /IPv6 Subnet: 2001:db8:28::\/64\n\s+IPv6 Gateway: 2001:db8:28::1/);
    const bad = await net('add', '--network', '10.28.4.0/24', '--network6', '2001:db8:zz::/64', 'badv6');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /network6/);
    assert.equal((await net('remove', 'v6net')).code, 0);
  });
});
