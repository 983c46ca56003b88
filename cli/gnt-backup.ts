#!/usr/bin/env node
import { createProgram, main } from './common/program.js';
import { addListFieldsCommand } from './common/list-fields-command.js';
import { addOpcodeOptions, luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-backup', 'instance exports: export an instance to a node, import it back, list and remove exports');
const backup = () => import('./commands/backup.js');
const collect = (v: string, prev: string[] = []) => [...prev, v];

addOpcodeOptions(
  program
    .command('export')
    .description("export an instance's disks (through its OS export script) and configuration into /srv/ganeti/export/INSTANCE on a node")
    .argument('<instance>', 'instance name')
    .requiredOption('-n, --node <node>', 'the node the export goes to')
    .option('--noshutdown', 'do not stop the instance while its disks are read')
    .option('--shutdown-timeout <seconds>', 'seconds to wait for a clean shutdown before the instance is killed', '120')
    .option('--remove-instance', 'remove the instance once it is exported')
    .option('--ignore-remove-failures', 'with --remove-instance: warn about disks that cannot be removed'),
).action(luxiAction(async (name: string, opts) => (await backup()).backupExport(name, { ...opts, shutdown: !opts.noshutdown })));

addOpcodeOptions(
  program
    .command('import')
    .description('create an instance from an export: its disks filled through its OS import script')
    .argument('<instance>', 'instance name')
    .requiredOption('-t, --disk-template <template>', 'disk template of the new instance')
    .requiredOption('--src-node <node>', 'the node holding the export')
    .option('--src-dir <dir>', 'the export folder (default /srv/ganeti/export/INSTANCE)')
    .option('--disk <N:size=S,...>', 'disk N (default: the export\'s disks)', collect)
    .option('--net <N:k=v,...>', 'NIC N (default: the export\'s NICs)', collect)
    .option('--no-nics', 'create the instance without NICs')
    .requiredOption('-n, --node <pnode[:snode]>', 'primary node (and secondary for mirrored templates)')
    .option('-o, --os-type <os[+variant]>', 'operating system (default: the export\'s)')
    .option('--no-start', 'do not start the instance after importing it')
    .option('-H, --hypervisor-parameters <hv[:k=v,...]>', 'hypervisor and its parameters')
    .option('-B, --backend-parameters <k=v,...>', 'backend parameters (default: the export\'s memory and vcpus)')
    .option('-O, --os-parameters <k=v,...>', 'OS parameters (default: the export\'s)')
    .option('--force-variant', 'accept an OS variant the OS does not list')
    .option('--no-ip-check', 'do not check the instance IP is unused')
    .option('--no-name-check', 'do not check the instance name resolves')
    .option('--no-wait-for-sync', 'do not wait for mirrored disks to sync')
    .option('--tags <tag,...>', 'tags of the new instance'),
).action(luxiAction(async (name: string, opts) => (await backup()).backupImport(name, { ...opts, install: true })));

program
  .command('list')
  .description('list the exports of the nodes (default fields: node, export)')
  .option('-n, --node <node>', 'only this node (repeatable)', collect)
  .option('-o, --output <fields>', 'comma-separated fields to show; a leading + adds them to the default ones')
  .option('--no-headers', 'leave out the title line')
  .option('--separator <sep>', 'put <sep> between values instead of aligning them in columns')
  .action(luxiAction(async (opts) => (await backup()).backupList(opts)));

addListFieldsCommand(program, 'exports', async (fields, opts) => (await backup()).backupListFields(fields, opts));

addOpcodeOptions(
  program
    .command('remove')
    .description('remove the exports of an instance from every node')
    .argument('<instance>', 'instance name (the instance need not exist)'),
).action(luxiAction(async (name: string, opts) => (await backup()).backupRemove(name, opts)));

main(program);
