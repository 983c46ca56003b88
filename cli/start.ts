#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `npm start`: a one-node cluster under ./var (GANETI_ROOT overrides), initialised on the
 * first run with the embedded defaults (fake hypervisor, file and diskless storage), the
 * master daemon started in the background, and a few commands to try. `npm stop` stops it.
 */
process.env['GANETI_ROOT'] ||= resolve('var');
const root = process.env['GANETI_ROOT'];
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
const pidOf = (daemon: string) => {
  const f = resolve(paths.runDir, `${daemon}.pid`);
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : 0;
};
const node = await init.thisNode();
const nodedUp = isAlive(pidOf('ganeti-noded'));
if (!nodedUp) await init.startDaemon('ganeti-noded', ['-b', node.ip]);
const masterUp = isAlive(pidOf('ganeti-masterd'));
if (!masterUp) await init.startDaemon('ganeti-masterd');
await init.waitForMaster();
process.stdout.write(`ganeti-noded ${nodedUp ? 'was already running' : 'started'} (pid ${pidOf('ganeti-noded')}), HTTPS on ${node.ip}:1811
ganeti-masterd ${masterUp ? 'was already running' : 'started'} (pid ${pidOf('ganeti-masterd')}), LUXI socket ${paths.luxiSocket}

Try:
  export GANETI_ROOT=${root}
  node dist/cli/gnt-cluster.js info
  node dist/cli/gnt-debug.js delay 1
  node dist/cli/gnt-job.js list
(or \`npm link\` once, then gnt-cluster, gnt-debug, gnt-job)
Stop it with: npm stop
`);

function isAlive(p: number): boolean {
  if (!p) return false;
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
}
