#!/usr/bin/env node
import { createProgram, main } from './common/program.js';
import { addListFieldsCommand } from './common/list-fields-command.js';
import { addOpcodeOptions, luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-network', 'network administration: IPv4 networks with address pools, connected to node groups');
const list = () => import('./commands/network-list.js');
const ops = () => import('./commands/network-ops.js');

/** The options add and modify share (Ganeti's GATEWAY_OPT, NETWORK6_OPT, GATEWAY6_OPT, MAC_PREFIX_OPT, ADD_RESERVED_IPS_OPT). */
const withNetworkParams = (cmd: ReturnType<typeof program.command>) =>
  cmd
    .option('--gateway <ip>', 'IPv4 address of the router (gateway); modify: none removes it')
    .option('--network6 <cidr>', 'IPv6 network in CIDR notation; modify: none removes it')
    .option('--gateway6 <ip6>', 'IPv6 address of the router; modify: none removes it')
    .option('-m, --mac-prefix <prefix>', 'MAC prefix of the NICs on this network (XX:XX:XX); modify: none removes it')
    .option('--add-reserved-ips <ips>', 'comma-separated addresses to reserve externally (never given to instances)');

addOpcodeOptions(
  withNetworkParams(
    program
      .command('add')
      .description('add a new IP network (not connected to any node group yet)')
      .argument('<network-name>', 'name of the new network')
      .option('--network <cidr>', 'IPv4 network in CIDR notation, from /30 to /16 (required)'),
  )
    .option('--no-conflicts-check', "don't reserve the nodes' and master's addresses in the range nor refuse a range overlapping another network")
    .option('--tags <tags>', 'comma-separated tags of the network'),
).action(
  luxiAction(async (name: string, opts) => {
    await (await ops()).addNetwork(name, opts);
  }),
);

addOpcodeOptions(
  withNetworkParams(program.command('modify').description("change a network's gateway, IPv6 values, MAC prefix or reserved addresses (not its range)").argument('<network>', 'the network to change')).option(
    '--remove-reserved-ips <ips>',
    'comma-separated addresses to release from the external reservations',
  ),
).action(
  luxiAction(async (name: string, opts) => {
    await (await ops()).modifyNetwork(name, opts);
  }),
);

addOpcodeOptions(
  program
    .command('remove')
    .description('remove a network that is connected to no node group')
    .argument('<network>', 'the network to remove')
    .option('-f, --force', 'accepted as in Ganeti; a connected network is still refused'),
).action(
  luxiAction(async (name: string, opts) => {
    await (await ops()).removeNetwork(name, opts);
  }),
);

addOpcodeOptions(
  program
    .command('connect')
    .description('connect a network to node groups (all groups if none named); NICs on it there take these NIC parameters')
    .argument('<network>', 'the network')
    .argument('[group...]', 'node groups (default: every group)')
    .option('-N, --nic-parameters <mode=..,link=..,vlan=..>', 'NIC parameters of the connection (default mode=bridged, link: the default bridge, vlan empty)')
    .option('--no-conflicts-check', "don't refuse groups whose instances already use addresses of the network"),
  { dryRun: false, submit: false },
).action(
  luxiAction(async (name: string, groups: string[], opts) => {
    await (await ops()).connectNetwork(name, groups, opts);
  }),
);

addOpcodeOptions(
  program
    .command('disconnect')
    .description('disconnect a network from node groups (all groups if none named); refused while instances there use it')
    .argument('<network>', 'the network')
    .argument('[group...]', 'node groups (default: every group)'),
  { dryRun: false, submit: false },
).action(
  luxiAction(async (name: string, groups: string[], opts) => {
    await (await ops()).disconnectNetwork(name, groups, opts);
  }),
);

program
  .command('list')
  .description('print one line per network (default fields: name, network, gateway, mac_prefix, group_list, tags; see list-fields)')
  .argument('[network...]', 'networks to show, by name (default: every network)')
  .option('--no-headers', 'leave out the title line')
  .option('--separator <sep>', 'put <sep> between values instead of aligning them in columns')
  .option('-o, --output <fields>', 'comma-separated fields to show; a leading + adds them to the default ones')
  .option('-v, --verbose', 'spell out why a value is missing')
  .action(
    luxiAction(async (names: string[], opts: { headers: boolean; separator?: string; output?: string; verbose?: boolean }) => {
      await (await list()).listNetworks(names, opts);
    }),
  );

addListFieldsCommand(program, 'networks', async (fields, opts) => (await list()).listNetworkFields(fields, opts));

program
  .command('info')
  .description('show networks: addresses, usage map, external reservations, connected groups, instances using them')
  .argument('[network...]', 'networks to show (default: every network)')
  .action(
    luxiAction(async (names: string[]) => {
      await (await list()).showNetworkInfo(names);
    }),
  );

main(program);
