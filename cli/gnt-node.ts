#!/usr/bin/env node
import { Option } from 'commander';
import { createProgram, main } from './common/program.js';
import { addListFieldsCommand } from './common/list-fields-command.js';
import { luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-node', 'node administration: list the nodes of the cluster and show their settings');
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
  .action(
    luxiAction(async (names: string[], opts: { headers: boolean; separator?: string; units?: string; output?: string; verbose?: boolean }) => {
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

main(program);
