#!/usr/bin/env node
import { Option } from 'commander';
import { createProgram, main } from './common/program.js';
import { addOpcodeOptions, luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-os', 'OS definitions: list, diagnose, info and modify');
const os = () => import('./commands/os.js');
const priority = () => new Option('--priority <priority>', 'job priority').choices(['low', 'normal', 'high']);

program
  .command('list')
  .description('list the valid OS definitions (with their variants) of the cluster')
  .option('--no-headers', 'leave out the title line')
  .addOption(priority())
  .action(luxiAction(async (opts) => (await os()).listOs(opts)));

program
  .command('diagnose')
  .description("show each OS definition's status on every vm_capable node (exit 1 when one is not valid everywhere)")
  .addOption(priority())
  .action(luxiAction(async (opts) => (await os()).diagnoseOs(opts)));

program
  .command('info')
  .description('show the details of OS definitions: validity, API versions, variants, parameters, cluster settings')
  .argument('[os...]', 'OS names (default: all)')
  .addOption(priority())
  .action(luxiAction(async (names: string[], opts) => (await os()).infoOs(names, opts)));

addOpcodeOptions(
  program
    .command('modify')
    .description("change the cluster's settings for one OS: hypervisor and OS parameters, hidden, blacklisted")
    .argument('<os>', 'OS name, optionally with +variant')
    .option('-H, --hypervisor-parameters <hv:k=v,...>', 'hypervisor parameters for instances of this OS')
    .option('-O, --os-parameters <k=v,...>', 'OS parameters (k=default removes one)')
    .option('--os-parameters-private <k=v,...>', 'private OS parameters')
    .option('--hidden <yes|no>', 'hide the OS from gnt-os list')
    .option('--blacklisted <yes|no>', 'forbid new installs with the OS'),
).action(luxiAction(async (name: string, opts) => (await os()).modifyOs(name, opts)));

main(program);
