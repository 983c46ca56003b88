#!/usr/bin/env node
import { Option, type Command } from 'commander';
import { createProgram, main } from './common/program.js';
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
  .description('Lists the jobs and their status. The available fields can be shown using the "list-fields" command. The default field list is (in order): id, status, summary.')
  .argument('[job-id...]', 'jobs to list (default: all)')
  .option('--no-headers', "Don't display column headers")
  .option('--separator <sep>', 'Separator between output fields (defaults to one space)')
  .option('-o, --output <fields>', 'Comma separated list of output fields')
  .option('-v, --verbose', 'Increase the verbosity of the operation')
  .option('--archived', 'Include archived jobs in list (slow and expensive)');
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

program
  .command('list-fields')
  .description('Lists all available fields for jobs')
  .argument('[fields...]', 'fields to describe (default: all)')
  .option('--no-headers', "Don't display column headers")
  .option('--separator <sep>', 'Separator between output fields (defaults to one space)')
  .action(
    luxiAction(async (fields: string[], opts: { headers: boolean; separator?: string }) => {
      await (await actions()).listJobFields(fields, opts);
    }),
  );

program
  .command('archive')
  .description('Archive specified jobs')
  .argument('<job-id...>')
  .action(
    luxiAction(async (ids: string[]) => {
      await (await actions()).archiveJobs(ids);
    }),
  );

program
  .command('autoarchive')
  .description('Auto archive jobs older than the given age (e.g. 30m, 2h, 1d, 1w, or all)')
  .argument('<age>')
  .action(
    luxiAction(async (age: string) => {
      await (await actions()).autoArchiveJobs(age);
    }),
  );

const cancelCmd = program
  .command('cancel')
  .description('Cancel jobs')
  .usage('{[--force] [--kill --yes-do-it] {--pending | --queued | --waiting} | <job-id> [<job-id>...]}')
  .argument('[job-id...]')
  .option('-f, --force', 'Force the operation')
  .option('--kill', 'Kill running jobs with SIGKILL')
  .option('--yes-do-it', 'Really use --kill')
  .addOption(new Option('--ya-rly', 'Really use --kill').hideHelp());
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
  .description('Show detailed information about the specified jobs')
  .argument('<job-id...>')
  .action(
    luxiAction(async (ids: string[]) => {
      await (await actions()).showJobs(ids);
    }),
  );

program
  .command('wait')
  .description('Wait for a job to finish')
  .argument('<job-id>')
  .action(
    luxiAction(async (id: string) => {
      await (await actions()).watchJob(id, true);
    }),
  );

program
  .command('watch')
  .description('Follows a job and prints its output as it arrives')
  .argument('<job-id>')
  .action(
    luxiAction(async (id: string) => {
      await (await actions()).watchJob(id);
    }),
  );

const prioCmd = program
  .command('change-priority')
  .description('Change the priority of jobs')
  .usage('--priority <priority> {[--force] {--pending | --queued | --waiting} | <job-id> [<job-id>...]}')
  .argument('[job-id...]')
  .addOption(new Option('--priority <priority>', 'Priority for opcode processing').choices(['low', 'normal', 'high']))
  .option('-f, --force', 'Force the operation');
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
