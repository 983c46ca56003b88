#!/usr/bin/env node
import { Option } from 'commander';
import { createProgram, main } from './common/program.js';
import { addListFieldsCommand } from './common/list-fields-command.js';
import { addOpcodeOptions, luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-node', 'node administration: add, change and remove the nodes of the cluster, list them and show their settings');
const actions = () => import('./commands/node.js');

program
  .command('list')
  .description('print one line per node (default fields: name, dtotal, dfree, mtotal, mnode, mfree, pinst_cnt, sinst_cnt; see list-fields)')
  .argument('[node...]', 'nodes to show, by full or short name (default: every node)')
  .option('--no-headers', 'leave out the title line')
  .option('--separator <sep>', 'put <sep> between values instead of aligning them in columns')
  .addOption(new Option('--units <unit>', 'size unit: h (readable, the default without --separator), m, g or t (MiB, GiB, TiB)').choices(['h', 'm', 'g', 't']))
  .option('-o, --output <fields>', 'comma-separated fields to show; a leading + adds them to the default ones')
  .option('-v, --verbose', 'spell out why a value is missing')
  .option('-g, --node-group <group>', 'only the nodes of this node group (name or UUID)')
  .action(
    luxiAction(async (names: string[], opts: { headers: boolean; separator?: string; units?: string; output?: string; verbose?: boolean; nodeGroup?: string }) => {
      await (await actions()).listNodes(names, opts);
    }),
  );

addListFieldsCommand(program, 'nodes', async (fields, opts) => (await actions()).listNodeFields(fields, opts));

program
  .command('info')
  .alias('show')
  .description("show nodes' addresses, flags, instances and node parameters (own values and inherited defaults)")
  .argument('[node...]', 'nodes to show (default: every node)')
  .action(
    luxiAction(async (names: string[]) => {
      await (await actions()).showNodeInfo(names);
    }),
  );

const ops = () => import('./commands/node-ops.js');

addOpcodeOptions(
  program
    .command('add')
    .description('add a node to the cluster; a new machine runs `ganeti-noded --join` first and gives its join token')
    .argument('<node>', 'the node name')
    .option('--join-token <token>', 'the token printed by `ganeti-noded --join` on the node (or the secret given to it)')
    .option('--join-token-file <file>', 'read the join token from this file')
    .option('-s, --secondary-ip <ip>', "the node's secondary (replication) address, if the cluster has them")
    .option('--primary-ip <ip>', "the node's primary address, when its name does not resolve (ganeti-ts)")
    .option('--readd', 'add again a node that is in the configuration (e.g. reinstalled); its flags are reset')
    .option('-g, --node-group <group>', 'node group of the new node (default: the default group)')
    .option('--master-capable <yes|no>', 'whether the node may become master candidate or master (default yes)')
    .option('--vm-capable <yes|no>', 'whether the node may host instances (default yes)')
    .option('--node-parameters <k=v,...>', 'node parameters (ndparams) of this node'),
).action(
  luxiAction(async (node: string, opts: Record<string, unknown>) => {
    await (await ops()).addNode(node, opts);
  }),
);

addOpcodeOptions(
  program
    .command('readd')
    .description('add again a node that is in the configuration (same as `add --readd`): a reinstalled machine runs `ganeti-noded --join` first')
    .argument('<node>', 'the node name')
    .option('--join-token <token>', 'the token printed by `ganeti-noded --join` on the node (or the secret given to it)')
    .option('--join-token-file <file>', 'read the join token from this file')
    .option('--primary-ip <ip>', "the node's primary address, when its name does not resolve (ganeti-ts)"),
).action(
  luxiAction(async (node: string, opts: Record<string, unknown>) => {
    await (await ops()).addNode(node, { ...opts, readd: true });
  }),
);

addOpcodeOptions(
  program
    .command('remove')
    .description('remove a node from the cluster: its daemon removes its cluster files and stops')
    .argument('<node>', 'the node name'),
).action(
  luxiAction(async (node: string, opts: Record<string, unknown>) => {
    await (await ops()).removeNode(node, opts);
  }),
);

addOpcodeOptions(
  program
    .command('modify')
    .description("change a node's role (master candidate, drained, offline), capabilities, secondary address or parameters")
    .argument('<node>', 'the node name')
    .option('-C, --master-candidate <yes|no>', 'make the node a master candidate, or demote it')
    .option('-D, --drained <yes|no>', 'drain the node (no new instances) or undrain it')
    .option('-O, --offline <yes|no>', 'mark the node offline (no RPC at all) or online again')
    .option('--master-capable <yes|no>', 'whether the node may become master candidate or master')
    .option('--vm-capable <yes|no>', 'whether the node may host instances')
    .option('-s, --secondary-ip <ip>', 'change the secondary address')
    .option('--node-parameters <k=v,...>', 'change node parameters (k=default resets one)')
    .option('--auto-promote', 'promote other nodes when this change would leave too few master candidates')
    .option('--force', 'force the change (secondary address changes of the master)'),
).action(
  luxiAction(async (node: string, opts: Record<string, unknown>) => {
    await (await ops()).modifyNode(node, opts);
  }),
);

const storage = {
  list: () => import('./commands/node-list-storage.js'),
  modify: () => import('./commands/node-modify-storage.js'),
  repair: () => import('./commands/node-repair-storage.js'),
};

program
  .command('list-storage')
  .description('list the storage units of the nodes (default fields: node, type, name, size, used, free, allocatable)')
  .argument('[node...]', 'nodes to show (default: every node)')
  .option('-t, --storage-type <type>', 'storage type: file, lvm-pv, lvm-vg, sharedfile or gluster (default: the type of the default disk template)')
  .option('-o, --output <fields>', 'comma-separated fields (node, type, name, size, used, free, allocatable); a leading + adds them to the default ones')
  .option('--no-headers', 'leave out the title line')
  .option('--separator <sep>', 'put <sep> between values instead of aligning them in columns')
  .addOption(new Option('--units <unit>', 'size unit: h (readable, the default without --separator), m, g or t (MiB, GiB, TiB)').choices(['h', 'm', 'g', 't']))
  .addOption(new Option('--priority <priority>', 'job priority').choices(['low', 'normal', 'high']))
  .action(
    luxiAction(async (names: string[], opts: { storageType?: string; output?: string; headers: boolean; separator?: string; units?: string; priority?: string }) => {
      await (await storage.list()).listStorage(names, opts);
    }),
  );

addOpcodeOptions(
  program
    .command('modify-storage')
    .description('change a storage unit of a node (lvm-pv: whether new volumes may be put on it)')
    .argument('<node>', 'the node name')
    .argument('<storage-type>', 'the storage type (lvm-pv)')
    .argument('<name>', 'the unit name (e.g. a physical volume)')
    .option('--allocatable <yes|no>', 'allow or forbid allocating new volumes on the unit'),
).action(
  luxiAction(async (node: string, type: string, name: string, opts: Record<string, unknown>) => {
    await (await storage.modify()).modifyStorage(node, type, name, opts);
  }),
);

addOpcodeOptions(
  program
    .command('repair-storage')
    .description("repair a storage unit of a node (lvm-vg: make the volume group's metadata consistent again)")
    .argument('<node>', 'the node name')
    .argument('<storage-type>', 'the storage type (lvm-vg)')
    .argument('<name>', 'the unit name (e.g. a volume group)')
    .option('--ignore-consistency', "repair even when instances' disks on other nodes are faulty"),
).action(
  luxiAction(async (node: string, type: string, name: string, opts: Record<string, unknown>) => {
    await (await storage.repair()).repairStorage(node, type, name, opts);
  }),
);

const placement = () => import('./commands/instance-placement.js');

addOpcodeOptions(
  program
    .command('migrate')
    .description('migrate every primary instance of the node (one job each)')
    .argument('<node>', 'node name')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--non-live', 'pause the instances during the move')
    .addOption(new Option('--migration-mode <mode>', 'live or non-live').choices(['live', 'non-live']))
    .option('-n, --target-node <node>', 'the node to move to (instances whose disks every node reaches)')
    .option('-I, --iallocator <name>', 'choose the targets with this allocator'),
).action(luxiAction(async (node: string, opts) => (await placement()).migrateNode(node, opts)));

addOpcodeOptions(
  program
    .command('failover')
    .description('fail over every primary instance of the node (one job each)')
    .argument('<node>', 'node name')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--ignore-consistency', 'go on when the node is down')
    .option('-n, --target-node <node>', 'the node to move to (ganeti-ts; instances whose disks every node reaches)')
    .option('-I, --iallocator <name>', 'choose the targets with this allocator')
    .addOption(new Option('--shutdown-timeout <seconds>', 'seconds to wait for a clean shutdown').default('120')),
).action(luxiAction(async (node: string, opts) => (await placement()).failoverNode(node, opts)));

addOpcodeOptions(
  program
    .command('evacuate')
    .description('move every instance off the node: primaries migrated or failed over, drbd secondaries to a new node')
    .argument('<node>', 'node name')
    .option('-f, --force', 'do not ask for confirmation')
    .option('-n, --new-secondary <node>', 'the node instances and mirrors go to')
    .option('-I, --iallocator <name>', 'choose the targets with this allocator')
    .option('-p, --primary-only', 'only the instances the node is primary of')
    .option('-s, --secondary-only', 'only the instances the node is secondary of')
    .option('--early-release', 'release locks early (accepted for compatibility)'),
).action(luxiAction(async (node: string, opts) => (await placement()).evacuateNode(node, opts)));

main(program);
