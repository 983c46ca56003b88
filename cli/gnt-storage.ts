#!/usr/bin/env node
import { createProgram, main } from './common/program.js';
import { Option } from 'commander';
import { addOpcodeOptions, luxiAction } from './common/luxi.js';
import { addListFieldsCommand } from './common/list-fields-command.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-storage', 'storage administration: ExtStorage providers and detached disks');
const disks = () => import('./commands/storage-disks.js');

// Ganeti's diagnose and info: --priority only, as in Ganeti.
const priority = () => new Option('--priority <priority>', 'job priority').choices(['low', 'normal', 'high']);

program
  .command('diagnose')
  .description("show each ExtStorage provider's status on every vm_capable node, and the node groups it is valid for")
  .addOption(priority())
  .action(
    luxiAction(async (opts: { priority?: string }) => {
      await (await import('./commands/storage-diagnose.js')).diagnoseExtStorage(opts);
    }),
  );

program
  .command('info')
  .description('show the node groups each ExtStorage provider is valid for, and its parameters')
  .argument('[provider...]', 'providers to show (default: every provider)')
  .addOption(priority())
  .action(
    luxiAction(async (names: string[], opts: { priority?: string }) => {
      await (await import('./commands/storage-info.js')).showExtStorageInfo(names, opts);
    }),
  );

addOpcodeOptions(
  program
    .command('disk-add')
    .description('create a detached disk on a node (ganeti-ts; an instance can use it later)')
    .argument('<name>', 'name of the new disk')
    .requiredOption('-t, --disk-template <template>', 'disk template (file, plain, ext, rbd, ... or a plugin template)')
    .requiredOption('-n, --node <node>', 'the node to create it on')
    .requiredOption('--disk <size=S,k=v,...>', 'disk spec: size (512M, 1G...), and vg, provider, adopt, access, spindles, mode or ext parameters'),
).action(
  luxiAction(async (name: string, opts) => {
    await (await disks()).diskAdd(name, opts);
  }),
);

addOpcodeOptions(
  program
    .command('install')
    .description('copy an ExtStorage provider to every vm_capable node (ganeti-ts), then show its diagnosis')
    .argument('<source>', 'a provider folder, an npm package folder or tarball, or an installed npm package name')
    .option('-g, --node-group <group>', 'only the nodes of this node group')
    .option('--name <provider>', 'install a provider folder under another name'),
).action(
  luxiAction(async (source: string, opts) => {
    await (await import('./commands/storage-install.js')).storageInstall(source, opts);
  }),
);

for (const [command, what, fn] of [
  ['disk-activate', 'assemble a detached disk on its node and print node:disk:device', 'diskActivate'],
  ['disk-deactivate', 'shut a detached disk down on its node, keeping its data', 'diskDeactivate'],
  ['disk-remove', "remove a detached disk and its data", 'diskRemove'],
] as const) {
  addOpcodeOptions(program.command(command).description(what).argument('<name>', 'the disk (name or UUID)')).action(
    luxiAction(async (name: string, opts) => {
      await (await disks())[fn](name, opts);
    }),
  );
}

program
  .command('disk-list')
  .description('print one line per disk (default fields: name, dev_type, size, node, instance; see disk-list-fields)')
  .argument('[disk...]', 'disks to show, by name or UUID (default: every disk)')
  .option('--no-headers', 'leave out the title line')
  .option('--separator <sep>', 'put <sep> between values instead of aligning them in columns')
  .addOption(new Option('--units <unit>', 'size unit: h (readable, the default without --separator), m, g or t').choices(['h', 'm', 'g', 't']))
  .option('-o, --output <fields>', 'comma-separated fields to show; a leading + adds them to the default ones')
  .option('-v, --verbose', 'spell out why a value is missing')
  .action(
    luxiAction(async (names: string[], opts) => {
      await (await disks()).diskList(names, opts);
    }),
  );

addListFieldsCommand(program, 'disks', async (fields, opts) => (await disks()).diskListFields(fields, opts), 'disk-list-fields', 'disk-list');

main(program);
