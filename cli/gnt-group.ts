#!/usr/bin/env node
import { createProgram, main } from './common/program.js';
import { addListFieldsCommand } from './common/list-fields-command.js';
import { luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-group', 'node group administration: list the node groups and show their settings');
const actions = () => import('./commands/group.js');

program
  .command('list')
  .description('print one line per node group (default fields: name, node_cnt, pinst_cnt, alloc_policy, ndparams; see list-fields)')
  .argument('[group...]', 'groups to show, by name (default: every group)')
  .option('--no-headers', 'leave out the title line')
  .option('--separator <sep>', 'put <sep> between values instead of aligning them in columns')
  .option('-o, --output <fields>', 'comma-separated fields to show; a leading + adds them to the default ones')
  .option('-v, --verbose', 'spell out why a value is missing')
  .action(
    luxiAction(async (names: string[], opts: { headers: boolean; separator?: string; output?: string; verbose?: boolean }) => {
      await (await actions()).listGroups(names, opts);
    }),
  );

addListFieldsCommand(program, 'node groups', async (fields, opts) => (await actions()).listGroupFields(fields, opts));

program
  .command('info')
  .description("show node groups' node parameters, disk parameters and instance policy (own values and inherited defaults)")
  .argument('[group...]', 'groups to show (default: every group)')
  .action(
    luxiAction(async (names: string[]) => {
      await (await actions()).showGroupInfo(names);
    }),
  );

main(program);
