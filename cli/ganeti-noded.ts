#!/usr/bin/env node
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { createProgram, main } from './common/program.js';

interface NodedCliOptions {
  foreground?: boolean;
  debug?: boolean;
  bindAddress?: string;
  port: number;
  join?: boolean;
  joinToken?: string;
  joinTokenFile?: string;
}

/** The admin's join secret reaches the detached child through the environment, not argv (ps shows argv). */
const JOIN_SECRET_ENV = 'GANETI_JOIN_SECRET';

const parsePort = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 0 || n > 65535) throw new InvalidArgumentError('the port must be a number from 0 to 65535');
  return n;
};

/** Whether something accepts TCP connections on host:port. */
const answers = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host, port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const program = createProgram('ganeti-noded', 'Ganeti node daemon: answers the RPC calls of the master over HTTPS')
  .option('-f, --foreground', "don't detach from the terminal")
  .option('-d, --debug', 'log debug messages')
  .option('-b, --bind-address <address>', 'bind to this address (default: every address of the cluster\'s IP family)')
  .option('-p, --port <port>', 'TCP port to listen on', parsePort, 1811)
  .option('--join', 'wait to join a cluster: serve a temporary certificate and print a join token for gnt-node add --join-token')
  .option('--join-token <secret>', 'with --join: use this secret (32 to 128 hex digits, e.g. from openssl rand -hex 32) instead of a new one')
  .option('--join-token-file <file>', 'with --join: read the secret from this file')
  .addHelpText(
    'after',
    '\nEverything lives under GANETI_ROOT (default /); the daemon serves <root>/var/lib/ganeti/server.pem.\n' +
      'A new node has no cluster certificate: start it with --join; it prints a token (also kept in\n' +
      '<root>/var/lib/ganeti/join-token) to give to `gnt-node add --join-token TOKEN <node>` on the master.',
  )
  .action(async (opts: NodedCliOptions) => {
    const { ganetiPaths } = await import('../core/paths.js');
    const paths = ganetiPaths();
    const family = (await readFile(paths.ssconf('primary_ip_family'), 'utf8').catch(() => '2')).trim();
    const bind = opts.bindAddress ?? (family === '10' ? '::' : '0.0.0.0');
    if ((opts.joinToken || opts.joinTokenFile) && !opts.join) {
      const { GanetiError } = await import('../core/errors/index.js');
      throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: '--join-token and --join-token-file go with --join' });
    }
    if (opts.join) {
      (await import('./common/noded-join-mode.js')).checkJoinable(paths);
      await joinSecret(opts); // a bad secret is refused here, before anything starts
    }
    if (!opts.foreground) {
      // Like Ganeti's daemons: start ourselves in the foreground, detached, and return once
      // the port answers (or the child died).
      const { spawnDetached } = await import('../core/exec/index.js');
      await mkdir(paths.logDir, { recursive: true });
      const logFile = paths.daemonLog('node-daemon');
      const self = fileURLToPath(import.meta.url);
      const argv = [process.execPath, self, '-f', '-b', bind, '-p', String(opts.port), ...(opts.debug ? ['-d'] : [])];
      if (opts.join) argv.push('--join', ...(opts.joinTokenFile ? ['--join-token-file', opts.joinTokenFile] : []));
      const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
      if (opts.joinToken) env[JOIN_SECRET_ENV] = opts.joinToken;
      const pid = await spawnDetached(argv, { logFile, env });
      const probe = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind;
      const end = Date.now() + 30_000;
      // the daemon needs a few hundred ms to listen: poll often at first, then every 100 ms
      let pause = 10;
      while (!(await answers(probe, opts.port))) {
        if (!alive(pid)) throw new Error(`ganeti-noded exited at start; see ${logFile}`);
        if (Date.now() > end) throw new Error(`ganeti-noded (pid ${pid}) does not answer on ${probe}:${opts.port} after 30 s; see ${logFile}`);
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(100, pause * 2);
      }
      if (!opts.join) {
        process.stdout.write(`ganeti-noded started (pid ${pid})\n`);
        return;
      }
      const { joinTokenFile } = await import('../core/daemons/noded-join.js');
      const token = (await readFile(joinTokenFile(paths), 'utf8')).trim();
      const name = process.env['GANETI_HOSTNAME'] || (await import('node:os')).hostname();
      process.stdout.write(
        `ganeti-noded started in join mode (pid ${pid})\nJoin token: ${token}\nOn the master, run:\n  gnt-node add --join-token ${token} ${name}\n`,
      );
      return;
    }

    const { GanetiError, describeError } = await import('../core/errors/index.js');
    const { createLogger } = await import('../core/log.js');
    const { readKeyAndCert } = await import('../core/crypto/x509.js');
    const { createPluginHost } = await import('../core/plugin-host/index.js');
    const { buildNoded } = await import('../core/daemons/noded.js');
    const log = createLogger('noded', opts.debug ? 'debug' : 'info');
    // One faulty call must not take the node daemon down with it: log it loudly instead.
    process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    const host = await createPluginHost({ paths });
    for (const e of host.errors) log.warn(e.toLine());

    let quit: () => void = () => undefined;
    let signalled = false;
    const stopped = new Promise<void>((resolve) => {
      quit = resolve;
      const onSignal = () => {
        signalled = true;
        resolve();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
    await mkdir(paths.runDir, { recursive: true });
    const pidFile = join(paths.runDir, 'ganeti-noded.pid');
    await writeFile(pidFile, `${process.pid}\n`);
    if (opts.join) {
      const { waitToJoin } = await import('./common/noded-join-mode.js');
      const joined = await waitToJoin({ paths, log, bind, port: opts.port, secret: await joinSecret(opts), stopped });
      if (!joined || signalled) {
        await rm(pidFile, { force: true });
        return;
      }
    }
    const { keyPem, certPem } = await readKeyAndCert(paths.serverPem);
    // node_start_master_daemons: the master daemon detaches itself and returns once LUXI answers
    const startMaster = async () => {
      const { runChecked } = await import('../core/exec/index.js');
      await runChecked([process.execPath, fileURLToPath(new URL('./ganeti-masterd.js', import.meta.url))], { inheritEnv: 'all', timeoutMs: 60_000 });
    };
    const app = await buildNoded({ paths, host, log, tls: { key: keyPem, cert: certPem, ca: certPem }, onQuit: () => quit(), startMaster });
    await host.hooks.daemonStarting.promise({ daemon: 'ganeti-noded', nodeName: app.noded.env.nodeName });
    try {
      await app.listen({ host: bind, port: opts.port });
    } catch (e) {
      throw new GanetiError('GNT_NODED_LISTEN', { address: `${bind}:${opts.port}`, reason: describeError(e) }, { cause: e });
    }
    log.info(`listening on ${bind}:${opts.port} (HTTPS) as node ${app.noded.env.nodeName}`);
    await stopped;
    log.info('shutting down');
    await app.close();
    await host.hooks.shutdown.promise().catch((e: unknown) => log.warn(String(e)));
    await rm(pidFile, { force: true });
  });

/** The admin's secret for --join (from the environment, the option or a file), or undefined for a new one. */
async function joinSecret(opts: NodedCliOptions): Promise<string | undefined> {
  const { parseJoinSecret } = await import('../core/cluster/join-token.js');
  const given = process.env[JOIN_SECRET_ENV] || opts.joinToken || (opts.joinTokenFile ? await readFile(opts.joinTokenFile, 'utf8') : undefined);
  return given === undefined ? undefined : parseJoinSecret(given);
}

main(program);
