#!/usr/bin/env node
import { createProgram, main } from './common/program.js';
import { addOpcodeOptions, luxiAction } from './common/luxi.js';

const program = createProgram('gnt-debug', 'Debugging commands');

program
  .command('plugins')
  .description('list the loaded plugins and the providers they registered, with their parameters')
  .option('-o, --output <fields>', 'fields to show (name,version,api,source,kind,provider,params,description); +f appends')
  .option('--no-headers', 'do not print the header line')
  .option('--separator <sep>', 'separate fields with <sep> instead of aligning columns')
  .option('--json', 'print plugins, providers and errors as JSON')
  .action(async (opts: { output?: string; headers: boolean; separator?: string; json?: boolean }) => {
    const { listPlugins } = await import('./commands/debug-plugins.js');
    await listPlugins(opts);
  });

const delayCmd = program
  .command('delay')
  .description('submit OP_TEST_DELAY: sleep <duration> seconds inside a job')
  .argument('<duration>', 'seconds to sleep')
  .option('--no-master', 'do not sleep on the master')
  .option('-n <node>', 'also sleep on <node> (repeatable)', (node: string, nodes: string[] = []) => [...nodes, node])
  .option('-r, --repeat <count>', 'sleep this many more times', '0')
  .option('-i, --interruptible', 'let the delay be interrupted')
  .option('-l, --no-locks', 'take no node locks');
addOpcodeOptions(delayCmd).action(
  luxiAction(async (duration: string, opts: { master: boolean; n?: string[]; locks: boolean } & Record<string, unknown>) => {
    const { delay } = await import('./commands/debug-delay.js');
    await delay(duration, { ...opts, master: opts.master, node: opts.n ?? [], noLocks: !opts.locks });
  }),
);

main(program);
