#!/usr/bin/env node
import { createProgram, main } from './common/program.js';
import { addListFieldsCommand } from './common/list-fields-command.js';
import { addOpcodeOptions, luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-group', 'node group administration: add, modify, rename and remove node groups, assign nodes to them, list them');
const actions = () => import('./commands/group.js');
const ops = () => import('./commands/group-ops.js');
const collect = (v: string, all: string[] = []) => [...all, v];

/** The options add and modify share (Ganeti's ALLOC_POLICY_OPT, NODE_PARAMS_OPT, DISK_PARAMS_OPT). */
const withGroupParams = (cmd: ReturnType<typeof program.command>) =>
  addOpcodeOptions(
    cmd
      .option('--alloc-policy <policy>', 'allocation policy: preferred, last_resort or unallocable')
      .option('--node-parameters <k=v,...>', 'node parameters of the group (oob_program, spindle_count, exclusive_storage, ssh_port, ...); k=default resets one (modify)')
      .option('-D, --disk-parameters <template:k=v,...>', 'disk parameters of one disk template (repeatable)', collect),
  );

withGroupParams(
  program.command('add').description('add a new, empty node group').argument('<group>', 'name of the new group'),
).action(
  luxiAction(async (name: string, opts) => {
    await (await ops()).addGroup(name, opts);
  }),
);

withGroupParams(
  program.command('modify').description("change a node group's allocation policy or parameters").argument('<group>', 'the group to change'),
).action(
  luxiAction(async (name: string, opts) => {
    await (await ops()).modifyGroup(name, opts);
  }),
);

addOpcodeOptions(program.command('remove').description('remove an empty node group').argument('<group>', 'the group to remove')).action(
  luxiAction(async (name: string, opts) => {
    await (await ops()).removeGroup(name, opts);
  }),
);

addOpcodeOptions(
  program.command('rename').description('rename a node group (its nodes keep pointing at it by UUID)').argument('<group>', 'the current name').argument('<new_name>', 'the new name'),
).action(
  luxiAction(async (name: string, newName: string, opts) => {
    await (await ops()).renameGroup(name, newName, opts);
  }),
);

addOpcodeOptions(
  program
    .command('assign-nodes')
    .description('move nodes into a node group')
    .argument('<group>', 'the group to move the nodes to')
    .argument('<node...>', 'the nodes to move')
    .option('-f, --force', 'move the nodes even if instances end up split across groups'),
).action(
  luxiAction(async (name: string, nodes: string[], opts) => {
    await (await ops()).assignNodes(name, nodes, opts);
  }),
);

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
