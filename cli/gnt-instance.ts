#!/usr/bin/env node
import { Option } from 'commander';
import { createProgram, main } from './common/program.js';
import { addListFieldsCommand } from './common/list-fields-command.js';
import { addOpcodeOptions, luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-instance', 'instance administration: create, start, stop, reboot, inspect and remove virtual machines');
const add = () => import('./commands/instance-add.js');
const power = () => import('./commands/instance-power.js');
const query = () => import('./commands/instance-query.js');
const collect = (v: string, prev: string[] = []) => [...prev, v];
const timeoutOpt = (flag: string) => new Option(`${flag} <seconds>`, 'seconds to wait for a clean shutdown before the instance is killed').default('120');

addOpcodeOptions(
  program
    .command('add')
    .description('create an instance: its disks on the nodes, its config entry, then start it')
    .argument('<instance>', 'instance name')
    .requiredOption('-t, --disk-template <template>', 'disk template (diskless, file, sharedfile, plain, blockdev, rbd, ext, gluster, or a plugin template)')
    .option('--disk <N:size=S,...>', 'disk N: size (512M, 1G...), mode, vg, provider, adopt, name, spindles or disk parameters (repeatable)', collect)
    .option('-s, --os-size <size>', 'one disk of this size (instead of --disk)')
    .option('--net <N:k=v,...>', 'NIC N: mac (or auto), ip, mode, link, vlan, network, name (repeatable; default one NIC)', collect)
    .option('--no-nics', 'create the instance without NICs')
    .option('-n, --node <pnode[:snode]>', 'primary node (and secondary for mirrored templates)')
    .option('-I, --iallocator <name>', 'choose the nodes with this allocator')
    .option('-o, --os-type <os[+variant]>', 'operating system')
    .option('--no-install', 'do not run the OS installation')
    .option('--no-start', 'do not start the instance after creating it')
    .option('-H, --hypervisor-parameters <hv[:k=v,...]>', 'hypervisor and its parameters')
    .option('-B, --backend-parameters <k=v,...>', 'backend parameters (maxmem, minmem, vcpus, auto_balance, always_failover, spindle_use)')
    .option('-O, --os-parameters <k=v,...>', 'OS parameters')
    .option('--os-parameters-private <k=v,...>', 'OS parameters kept out of logs and queries')
    .option('--force-variant', 'accept an OS variant the OS does not list')
    .option('--no-ip-check', 'do not check the instance IP is unused')
    .option('--no-name-check', 'do not check the instance name resolves')
    .option('--no-wait-for-sync', 'do not wait for mirrored disks to sync')
    .option('--file-storage-dir <dir>', 'folder for file disks (relative to the cluster file storage dir)')
    .option('--file-driver <driver>', 'file driver (loop)')
    .option('--tags <tag,...>', 'tags of the new instance'),
).action(
  luxiAction(async (name: string, opts) => {
    await (await add()).instanceAdd(name, opts);
  }),
);

addOpcodeOptions(
  program
    .command('remove')
    .description('stop the instance and remove it with its disks')
    .argument('<instance>', 'instance name')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--ignore-failures', 'remove it from the config even if a node cannot stop it or remove a disk')
    .addOption(timeoutOpt('--shutdown-timeout')),
).action(luxiAction(async (name: string, opts) => (await power()).remove(name, opts)));

addOpcodeOptions(
  program
    .command('startup')
    .alias('start')
    .description('start instances (and record them as up)')
    .argument('<instance...>', 'instance names')
    .option('-f, --force', 'force the start')
    .option('--paused', 'start with the CPUs stopped')
    .option('-H, --hypervisor-parameters <k=v,...>', 'hypervisor parameters for this start only')
    .option('-B, --backend-parameters <k=v,...>', 'backend parameters for this start only')
    .option('--no-remember', 'do not record the instance as up')
    .option('--ignore-offline', 'ignore an offline primary node'),
).action(luxiAction(async (names: string[], opts) => (await power()).startup(names, opts)));

addOpcodeOptions(
  program
    .command('shutdown')
    .alias('stop')
    .description('stop instances (and record them as down): a clean shutdown, then killed after the timeout')
    .argument('<instance...>', 'instance names')
    .addOption(timeoutOpt('--timeout'))
    .option('--no-remember', 'do not record the instance as down')
    .option('--ignore-offline', 'ignore an offline primary node'),
).action(luxiAction(async (names: string[], opts) => (await power()).shutdown(names, opts)));

addOpcodeOptions(
  program
    .command('reboot')
    .description('reboot instances')
    .argument('<instance...>', 'instance names')
    .addOption(new Option('-t, --type <type>', 'soft (in the guest), hard (hypervisor process restarted) or full (stop and start)').choices(['soft', 'hard', 'full']).default('hard'))
    .addOption(timeoutOpt('--shutdown-timeout'))
    .option('--ignore-secondaries', 'ignore errors from secondary nodes'),
).action(luxiAction(async (names: string[], opts) => (await power()).reboot(names, opts)));

program
  .command('list')
  .description('print one line per instance (default fields: name, hypervisor, os, pnode, status, oper_ram; see list-fields)')
  .argument('[instance...]', 'instances to show, glob patterns allowed (default: every instance)')
  .option('--no-headers', 'leave out the title line')
  .option('--separator <sep>', 'put <sep> between values instead of aligning them in columns')
  .addOption(new Option('--units <unit>', 'size unit: h (readable, the default without --separator), m, g or t').choices(['h', 'm', 'g', 't']))
  .option('-o, --output <fields>', 'comma-separated fields to show; a leading + adds them to the default ones')
  .option('-v, --verbose', 'spell out why a value is missing')
  .option('-F, --filter', 'the arguments are a query-language filter, e.g. \'status == "running" and be/maxmem > 512\'')
  .action(luxiAction(async (names: string[], opts) => (await query()).listInstances(names, opts)));

addListFieldsCommand(program, 'instances', async (fields, opts) => (await query()).listInstanceFields(fields, opts));

program
  .command('info')
  .description("show instances' configuration and run state")
  .argument('[instance...]', 'instance names')
  .option('--all', 'every instance')
  .option('-s, --static', 'only the configuration, do not ask the nodes')
  .action(luxiAction(async (names: string[], opts) => (await query()).showInstanceInfo(names, opts)));

addOpcodeOptions(
  program
    .command('console')
    .description("connect to the instance's console (or print the command with --show-cmd)")
    .argument('<instance>', 'instance name')
    .option('--show-cmd', 'print the command instead of running it'),
  { dryRun: false, submit: false },
).action(luxiAction(async (name: string, opts) => (await query()).console(name, opts)));

addOpcodeOptions(
  program
    .command('activate-disks')
    .description("assemble the instance's disks and print node:disk:device for each")
    .argument('<instance>', 'instance name')
    .option('--ignore-size', 'do not check the disk sizes')
    .option('--wait-for-sync', 'wait until mirrored disks are in sync'),
).action(luxiAction(async (name: string, opts) => (await power()).activateDisks(name, opts)));

addOpcodeOptions(
  program
    .command('deactivate-disks')
    .description("shut down the instance's disks (the instance must be stopped)")
    .argument('<instance>', 'instance name')
    .option('-f, --force', 'even if the primary node does not answer'),
).action(luxiAction(async (name: string, opts) => (await power()).deactivateDisks(name, opts)));

addOpcodeOptions(
  program
    .command('replace-disks')
    .description("replace a drbd instance's volumes on the primary (-p) or the secondary (-s), or move its mirror to a new secondary (-n)")
    .argument('<instance>', 'instance name')
    .option('-p, --on-primary', 'new volumes on the primary node (resynced from the secondary)')
    .option('-s, --on-secondary', 'new volumes on the secondary node (resynced from the primary)')
    .option('-a, --auto', 'replace on the side whose disks are faulty')
    .option('-n, --new-secondary <node>', 'move the secondary to this node')
    .option('-I, --iallocator <name>', 'choose the new secondary with this allocator')
    .option('--disks <idx,...>', 'only these disks (default: all)')
    .option('--early-release', 'release locks early (accepted for compatibility)'),
).action(luxiAction(async (name: string, opts) => (await power()).replaceDisks(name, opts)));

const placement = () => import('./commands/instance-placement.js');

addOpcodeOptions(
  program
    .command('migrate')
    .description('move a running instance to another node while it keeps running (live) or paused (non-live)')
    .argument('<instance>', 'instance name')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--non-live', 'pause the instance during the move (the same as --migration-mode non-live)')
    .addOption(new Option('--migration-mode <mode>', 'live or non-live (default: the hypervisor\'s migration_mode)').choices(['live', 'non-live']))
    .option('--cleanup', 'repair the state after a migration that broke off half way')
    .option('--allow-failover', 'fail over instead when the instance is not running')
    .option('-n, --target-node <node>', 'the node to move to (instances whose disks every node reaches)')
    .option('-I, --iallocator <name>', 'choose the target with this allocator'),
).action(luxiAction(async (name: string, opts) => (await placement()).migrateInstance(name, opts)));

addOpcodeOptions(
  program
    .command('failover')
    .description('stop the instance, make another node its primary and start it there')
    .argument('<instance>', 'instance name')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--ignore-consistency', 'go on when the primary is down or its disks are not consistent')
    .addOption(timeoutOpt('--shutdown-timeout'))
    .option('-n, --target-node <node>', 'the node to move to (instances whose disks every node reaches)')
    .option('-I, --iallocator <name>', 'choose the target with this allocator'),
).action(luxiAction(async (name: string, opts) => (await placement()).failoverInstance(name, opts)));

addOpcodeOptions(
  program
    .command('move')
    .description('stop the instance, copy its disks to another node and start it there (templates only one node reaches: file, plain...)')
    .argument('<instance>', 'instance name')
    .requiredOption('-n, --target-node <node>', 'the node to move the instance to')
    .option('-f, --force', 'do not ask for confirmation')
    .addOption(timeoutOpt('--shutdown-timeout'))
    .option('--ignore-consistency', 'move even when the source node cannot stop the instance')
    .option('--ignore-ipolicy', 'ignore the instance policy of the target group'),
).action(luxiAction(async (name: string, opts) => (await placement()).moveInstance(name, opts)));
const modify = () => import('./commands/instance-modify.js');

addOpcodeOptions(
  program
    .command('modify')
    .description('change an instance: parameters, disks, NICs, OS, offline/online, runtime memory (most take effect at the next start)')
    .argument('<instance>', 'instance name')
    .option('-H, --hypervisor-parameters <k=v,...>', 'hypervisor parameters (k=default resets one)')
    .option('-B, --backend-parameters <k=v,...>', 'backend parameters (maxmem, minmem, vcpus...; k=default resets one)')
    .option('-O, --os-parameters <k=v,...>', 'OS parameters')
    .option('--disk <mod>', 'add[:size=S,mode=M], N:add,size=S, N:remove or N:modify,mode=M,name=X (repeatable)', collect)
    .option('--net <mod>', 'add[:mac=..,ip=..,mode=..,link=..], N:remove or N:modify,ip=..,link=.. (repeatable)', collect)
    .option('-o, --os-type <os>', 'change the OS name (no reinstall)')
    .option('--force-variant', 'accept an unknown OS variant')
    .option('--offline', 'mark the instance offline (it must be down)')
    .option('--online', 'mark an offline instance online (down)')
    .option('-m, --runtime-memory <size>', "change a running instance's memory (between minmem and maxmem)")
    .option('--hotplug', 'apply disk/NIC changes to the running instance (hypervisors with hotplug)')
    .option('--no-wait-for-sync', 'do not wait for new mirrored disks to sync')
    .option('-f, --force', 'skip safety checks (memory range of -m)'),
).action(luxiAction(async (name: string, opts) => (await modify()).modify(name, opts)));

addOpcodeOptions(
  program
    .command('rename')
    .description('rename a stopped instance')
    .argument('<instance>', 'current name')
    .argument('<new_name>', 'new name')
    .option('--no-ip-check', 'do not check the new IP is unused')
    .option('--no-name-check', 'do not check the new name'),
).action(luxiAction(async (name: string, newName: string, opts) => (await modify()).rename(name, newName, opts)));

addOpcodeOptions(
  program
    .command('reinstall')
    .description('reinstall the OS of a stopped instance (destroys its data)')
    .argument('<instance>', 'instance name')
    .option('-o, --os-type <os>', 'install this OS instead')
    .option('--force-variant', 'accept an unknown OS variant')
    .option('-O, --os-parameters <k=v,...>', 'OS parameters')
    .option('-f, --force', 'do not ask for confirmation'),
).action(luxiAction(async (name: string, opts) => (await modify()).reinstall(name, opts)));

addOpcodeOptions(
  program
    .command('grow-disk')
    .description("grow an instance's disk by AMOUNT (or to AMOUNT with --absolute)")
    .argument('<instance>', 'instance name')
    .argument('<disk>', 'disk index')
    .argument('<amount>', 'size (512M, 1G...)')
    .option('--absolute', 'AMOUNT is the new size, not the growth')
    .option('--no-wait-for-sync', 'do not wait for mirrored disks to sync'),
).action(luxiAction(async (name: string, disk: string, amount: string, opts) => (await modify()).growDisk(name, disk, amount, opts)));

addOpcodeOptions(
  program
    .command('recreate-disks')
    .description("recreate a stopped instance's disks (empty), optionally on other nodes")
    .argument('<instance>', 'instance name')
    .option('--disk <N[:size=S,mode=M]>', 'disk to recreate (repeatable; default all)', collect)
    .option('-n, --node <pnode[:snode]>', 'recreate the disks on these nodes')
    .option('-I, --iallocator <name>', 'choose the nodes with this allocator'),
).action(luxiAction(async (name: string, opts) => (await modify()).recreateDisks(name, opts)));

main(program);
