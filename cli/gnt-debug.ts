#!/usr/bin/env node
import { createProgram, main } from './common/program.js';

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

main(program);
