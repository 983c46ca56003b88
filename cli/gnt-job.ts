#!/usr/bin/env node
import { Option, type Command } from 'commander';
import { createProgram, main } from './common/program.js';
import { addListFieldsCommand } from './common/list-fields-command.js';
import { luxiAction } from './common/luxi.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-job', 'Job related commands');
const actions = () => import('./commands/job.js');

/** Ganeti's selectors store into one option: the last one given wins. */
function statusSelectors(cmd: Command, selectors: Record<string, string>): () => string | undefined {
  let last: string | undefined;
  for (const [name, help] of Object.entries(selectors)) {
    cmd.option(`--${name}`, help);
    cmd.on(`option:${name}`, () => {
      last = name;
    });
  }
  return () => last;
}

const listCmd = program
  .command('list')
  .description('list jobs (default fields: id, status, summary; see list-fields)')
  .argument('[job-id...]', 'jobs to list (default: all)')
  .option('--no-headers', 'omit the header line')
  .option('--separator <sep>', 'join fields with <sep> instead of aligning columns')
  .option('-o, --output <fields>', 'fields to show, comma-separated; +f adds to the defaults')
  .option('-v, --verbose', 'print verbose values')
  .option('--archived', 'also list archived jobs (reads the archive)');
const listStatus = statusSelectors(listCmd, {
  pending: 'Select jobs pending execution or being cancelled',
  running: 'Show jobs currently running only',
  error: 'Show failed jobs only',
  finished: 'Show finished jobs only',
});
listCmd.action(
  luxiAction(async (ids: string[], opts: { headers: boolean; separator?: string; output?: string; verbose?: boolean; archived?: boolean }) => {
    const status = listStatus();
    await (await actions()).listJobs(ids, { ...opts, ...(status ? { status } : {}) });
  }),
);

addListFieldsCommand(program, 'jobs', async (fields, opts) => (await actions()).listJobFields(fields, opts));

program
  .command('archive')
  .description('move finished jobs to the archive')
  .argument('<job-id...>')
  .action(
    luxiAction(async (ids: string[]) => {
      await (await actions()).archiveJobs(ids);
    }),
  );

program
  .command('autoarchive')
  .description('archive finished jobs older than <age> (30m, 2h, 1d, 1w, or all)')
  .argument('<age>')
  .action(
    luxiAction(async (age: string) => {
      await (await actions()).autoArchiveJobs(age);
    }),
  );

const cancelCmd = program
  .command('cancel')
  .description('cancel queued or waiting jobs (running ones with --kill)')
  .usage('{[--force] [--kill --yes-do-it] {--pending | --queued | --waiting} | <job-id> [<job-id>...]}')
  .argument('[job-id...]')
  .option('-f, --force', 'do not ask for confirmation')
  .option('--kill', 'also kill running jobs (aborts them and their child processes)')
  .option('--yes-do-it', 'confirm --kill')
  .addOption(new Option('--ya-rly', 'confirm --kill').hideHelp());
const cancelStatus = statusSelectors(cancelCmd, {
  pending: 'Select jobs pending execution or being cancelled',
  queued: 'Select queued jobs only',
  waiting: 'Select waiting jobs only',
});
cancelCmd.action(
  luxiAction(async (ids: string[], opts: { force?: boolean; kill?: boolean; yesDoIt?: boolean; yaRly?: boolean }) => {
    const status = cancelStatus();
    const { yaRly, ...rest } = opts;
    await (await actions()).cancelJobs(ids, { ...rest, yesDoIt: Boolean(opts.yesDoIt || yaRly), ...(status ? { status } : {}) });
  }),
);

program
  .command('info')
  .alias('show')
  .description('show jobs in detail: opcodes, timestamps, results, logs')
  .argument('<job-id...>')
  .action(
    luxiAction(async (ids: string[]) => {
      await (await actions()).showJobs(ids);
    }),
  );

program
  .command('wait')
  .description('wait until a job has finished')
  .argument('<job-id>')
  .action(
    luxiAction(async (id: string) => {
      await (await actions()).watchJob(id, true);
    }),
  );

program
  .command('watch')
  .description('print a job\'s log messages as they come, until it finishes')
  .argument('<job-id>')
  .action(
    luxiAction(async (id: string) => {
      await (await actions()).watchJob(id);
    }),
  );

const prioCmd = program
  .command('change-priority')
  .description('change the priority of jobs that have not started')
  .usage('--priority <priority> {[--force] {--pending | --queued | --waiting} | <job-id> [<job-id>...]}')
  .argument('[job-id...]')
  .addOption(new Option('--priority <priority>', 'Priority for opcode processing').choices(['low', 'normal', 'high']))
  .option('-f, --force', 'do not ask for confirmation');
const prioStatus = statusSelectors(prioCmd, {
  pending: 'Select jobs pending execution or being cancelled',
  queued: 'Select queued jobs only',
  waiting: 'Select waiting jobs only',
});
prioCmd.action(
  luxiAction(async (ids: string[], opts: { force?: boolean; priority?: string }) => {
    const status = prioStatus();
    await (await actions()).changePriority(ids, { ...opts, ...(status ? { status } : {}) });
  }),
);

main(program);
