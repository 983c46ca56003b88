#!/usr/bin/env node
import { Option } from 'commander';
import { createProgram, main } from './common/program.js';
import { luxiAction } from './common/luxi.js';

// Ganeti's gnt-storage: ExtStorage providers across the cluster. Both commands take
// --priority only, as Ganeti's; their code loads on use.
const program = createProgram('gnt-storage', 'ExtStorage providers: check them on every node and show where they can be used');
const priority = () => new Option('--priority <priority>', 'job priority').choices(['low', 'normal', 'high']);

program
  .command('diagnose')
  .description('Diagnose all ExtStorage providers')
  .addOption(priority())
  .action(
    luxiAction(async (opts: { priority?: string }) => {
      await (await import('./commands/storage-diagnose.js')).diagnoseExtStorage(opts);
    }),
  );

program
  .command('info')
  .description('Show info about ExtStorage providers')
  .argument('[provider...]', 'providers to show (default: every provider)')
  .addOption(priority())
  .action(
    luxiAction(async (names: string[], opts: { priority?: string }) => {
      await (await import('./commands/storage-info.js')).showExtStorageInfo(names, opts);
    }),
  );

main(program);
