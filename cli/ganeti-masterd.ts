#!/usr/bin/env node
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createProgram, main } from './common/program.js';

const program = createProgram('ganeti-masterd', 'Ganeti master daemon: the job queue, the locks and the LUXI socket')
  .option('-f, --foreground', "don't detach from the terminal")
  .option('-d, --debug', 'log debug messages')
  .addHelpText('after', '\nEverything lives under GANETI_ROOT (default /); the LUXI socket is <root>/var/run/ganeti/socket/ganeti-query.')
  .action(async (opts: { foreground?: boolean; debug?: boolean }) => {
    const { ganetiPaths } = await import('../core/paths.js');
    const paths = ganetiPaths();
    if (!opts.foreground) {
      // Ganeti's daemons detach by default: start ourselves in the foreground, detached, and
      // return once the LUXI socket answers.
      const { spawnDetached } = await import('../core/exec/index.js');
      const { LuxiClient } = await import('../core/luxi/client.js');
      await mkdir(paths.logDir, { recursive: true });
      const self = fileURLToPath(import.meta.url);
      const pid = await spawnDetached([process.execPath, self, '-f', ...(opts.debug ? ['-d'] : [])], { logFile: paths.daemonLog('master-daemon') });
      const client = new LuxiClient({ socketPath: paths.luxiSocket, connectTimeoutMs: 30_000, waitForServer: true });
      try {
        await client.call('QueryConfigValues', [['drain_flag']]);
      } finally {
        client.close();
      }
      process.stdout.write(`ganeti-masterd started (pid ${pid})\n`);
      return;
    }
    const { createLogger } = await import('../core/log.js');
    const { createPluginHost } = await import('../core/plugin-host/index.js');
    const { buildMasterd } = await import('../core/daemons/masterd.js');
    const { createLuxiServer } = await import('../core/luxi/server.js');
    const log = createLogger('masterd', opts.debug ? 'debug' : 'info');
    const host = await createPluginHost({ paths });
    for (const e of host.errors) log.warn(e.toLine());
    const masterd = await buildMasterd({ paths, host, log });
    const r = masterd.recovery;
    log.info(`job queue: ${r.jobs} job(s) on disk, ${r.requeued} re-queued, ${r.lost} lost; ${r.staleLockOwners} dead lock owner(s) freed`);
    const server = createLuxiServer(masterd.handlers, { socketPath: paths.luxiSocket, log });
    await server.listen();
    const pidFile = join(paths.runDir, 'ganeti-masterd.pid');
    await writeFile(pidFile, `${process.pid}\n`);
    log.info(`listening on ${paths.luxiSocket}`);
    await host.hooks.daemonStarting.promise({ daemon: 'ganeti-masterd', nodeName: '' });
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    log.info('shutting down');
    await server.close();
    await masterd.stop();
    await host.hooks.shutdown.promise().catch((e: unknown) => log.warn(String(e)));
    await rm(pidFile, { force: true });
  });

main(program);
