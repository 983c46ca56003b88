#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm start`: a one-node cluster under ./var (GANETI_ROOT overrides) on 127.0.0.1
 * (GANETI_NODE_IP overrides), initialised on the first run with the embedded defaults (fake
 * hypervisor, file and diskless storage), its node and master daemons started, and a few
 * commands to try. It then stays in the foreground like a dev server: Ctrl-C (SIGINT) or
 * SIGTERM stops the daemons this run started (not those it found running). `npm start --
 * --detach` returns at once and leaves them running; `npm stop` stops them.
 */
process.env['GANETI_ROOT'] ||= resolve('var');
process.env['GANETI_NODE_IP'] ||= '127.0.0.1';
const root = process.env['GANETI_ROOT'];
const detach = process.argv.includes('--detach');
const DAEMONS = ['ganeti-noded', 'ganeti-masterd'] as const;

const [{ ganetiPaths }, { createPluginHost }, { VERSION }, { pluginTable }, init] = await Promise.all([
  import('../core/paths.js'),
  import('../core/plugin-host/index.js'),
  import('../core/version.js'),
  import('./commands/debug-plugins.js'),
  import('./commands/cluster-init.js'),
]);
const paths = ganetiPaths(root);
const host = await createPluginHost({ paths });
process.stdout.write(`ganeti-ts ${VERSION}: ${host.plugins.length} plugin(s) loaded\n\n${pluginTable(host, { headers: true }).join('\n')}\n\n`);
for (const e of host.errors) process.stderr.write(`warning: ${e.toLine()}\n`);

if (!existsSync(paths.configData)) {
  await init.clusterInit('cluster.ganeti-ts.local', { enabledHypervisors: 'fake', enabledDiskTemplates: 'file,diskless', start: false });
  process.stdout.write(`Initialised cluster 'cluster.ganeti-ts.local' under ${root}\n`);
}
// The demo's OS: ganeti-ts's noop definition (installs nothing), where Ganeti looks for OSes.
const noop = resolve(paths.osSearchPath[0]!, 'noop');
if (!existsSync(noop)) await cp(fileURLToPath(new URL('../../plugins/os/noop', import.meta.url)), noop, { recursive: true });
const pidOf = (daemon: string) => {
  const f = resolve(paths.runDir, `${daemon}.pid`);
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : 0;
};
const node = await init.thisNode();
const started: string[] = [];
const wasUp = (d: string) => isAlive(pidOf(d));
const nodedUp = wasUp('ganeti-noded');
if (!nodedUp) {
  await init.startDaemon('ganeti-noded', ['-b', node.ip]);
  started.push('ganeti-noded');
}
const masterUp = wasUp('ganeti-masterd');
if (!masterUp) {
  await init.startDaemon('ganeti-masterd');
  started.push('ganeti-masterd');
}
await init.waitForMaster();
const envLine = `export GANETI_ROOT=${root}${process.env['GANETI_HOSTNAME'] ? ` GANETI_HOSTNAME=${process.env['GANETI_HOSTNAME']}` : ''}`;
process.stdout.write(`ganeti-noded ${nodedUp ? 'was already running' : 'started'} (pid ${pidOf('ganeti-noded')}), HTTPS on ${node.ip}:1811
ganeti-masterd ${masterUp ? 'was already running' : 'started'} (pid ${pidOf('ganeti-masterd')}), LUXI socket ${paths.luxiSocket}

Try, in another terminal:
  ${envLine}
  node dist/cli/gnt-cluster.js info
  node dist/cli/gnt-cluster.js verify
  node dist/cli/gnt-cluster.js command uptime
  node dist/cli/gnt-node.js list
  node dist/cli/gnt-instance.js add -t file --disk 0:size=64M -n ${node.name} -o noop web1
  node dist/cli/gnt-instance.js list
  node dist/cli/gnt-os.js list
  node dist/cli/gnt-debug.js delay 1
  node dist/cli/gnt-job.js list
(or \`npm link\` once, then gnt-cluster, gnt-node, gnt-instance, gnt-os, gnt-debug, gnt-job)
`);

if (detach || started.length === 0) {
  process.stdout.write(`Stop it with: npm stop\n`);
} else {
  process.stdout.write(`Stop it with Ctrl-C (or npm stop)\n`);
  await watch(started);
}

/** Stays until SIGINT/SIGTERM (then stops what this run started) or until the daemons are gone. */
async function watch(ours: readonly string[]): Promise<void> {
  const pids = new Map(ours.map((d) => [d, pidOf(d)]));
  const why = await new Promise<string>((done) => {
    process.once('SIGINT', () => done('interrupted'));
    process.once('SIGTERM', () => done('terminated'));
    // `npm stop` from another terminal ends this run too
    const timer = setInterval(() => {
      if ([...pids.values()].every((p) => !isAlive(p))) {
        clearInterval(timer);
        done('daemons gone');
      }
    }, 1000);
    timer.unref();
    // keeps the event loop alive until a signal comes
    setInterval(() => undefined, 1 << 30);
  });
  // the master first: it may still write to the nodes
  for (const daemon of [...DAEMONS].reverse()) {
    const pid = pids.get(daemon);
    if (!pid || !isAlive(pid)) continue;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    process.stdout.write(`${why}: stopped ${daemon} (pid ${pid})\n`);
  }
  process.exit(0);
}

function isAlive(p: number): boolean {
  if (!p) return false;
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
}
