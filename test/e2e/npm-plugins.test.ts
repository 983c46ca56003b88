import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { removeDir, tempDir, writeTree, REPO_ROOT } from '../helpers/tmp.js';
import { alive } from '../helpers/masterd.js';

const waitGone = async (pid: number) => {
  for (let i = 0; i < 300 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(pid), false, `pid ${pid} still running`);
};
import { scratchProject, type ScratchProject } from '../helpers/scratch-project.js';

// A user installs a third-party hypervisor and storage provider from npm (packed tarballs),
// lists them in the project's ganeti.config.*, and `gnt-debug plugins` shows them.
let project: ScratchProject;

before(async () => {
  project = await scratchProject();
});
after(() => removeDir(project.root));

const gntDebug = (args: string[], env: Record<string, string> = {}) =>
  run([project.bin('gnt-debug'), ...args], { cwd: project.dir, env, timeoutMs: 30_000 });

const rowsOf = (stdout: string) => stdout.trimEnd().split('\n').map((l) => l.split(/ +/));

describe('plugins installed from npm', () => {
  test('gnt-debug plugins lists both, with versions, providers and parameter names', async () => {
    await writeFile(join(project.dir, 'ganeti.config.mjs'), "export default { plugins: ['ganeti-plugin-examplehv', 'ganeti-plugin-qemuimg'] };\n");
    const r = await gntDebug(['plugins']);
    assert.equal(r.exitCode, 0, r.all);
    assert.equal(r.stderr, '');
    const rows = rowsOf(r.stdout);
    assert.deepEqual(rows[0], ['Plugin', 'Version', 'Kind', 'Provider', 'Parameters']);
    const byPlugin = new Map(rows.slice(1).map((row) => [row[0], row]));
    assert.deepEqual(byPlugin.get('ganeti-plugin-examplehv'), ['ganeti-plugin-examplehv', '1.2.0', 'hypervisor', 'examplehv', 'boot_timeout,command,kill_timeout']);
    assert.deepEqual(byPlugin.get('ganeti-plugin-qemuimg'), ['ganeti-plugin-qemuimg', '0.3.1', 'storage', 'qemuimg', 'cluster_size,format,preallocation']);
    // built-ins come first and are loaded the same way
    assert.equal(rows[1]![0], 'builtin:hypervisors/fake');
    assert.ok(rows.findIndex((row) => row[0] === 'ganeti-plugin-examplehv') > rows.findIndex((row) => row[0] === 'builtin:storage/file'));
  });

  test('--separator, --no-headers and -o follow Ganeti\'s list conventions', async () => {
    const r = await gntDebug(['plugins', '--no-headers', '--separator=|', '-o', 'name,version,api,source,provider']);
    assert.equal(r.exitCode, 0, r.all);
    const line = r.stdout.split('\n').find((l) => l.startsWith('ganeti-plugin-qemuimg|'));
    assert.equal(line, `ganeti-plugin-qemuimg|0.3.1|1|${join(project.dir, 'node_modules', 'ganeti-plugin-qemuimg')}|qemuimg`);
    const bad = await gntDebug(['plugins', '-o', 'name,colour']);
    assert.equal(bad.exitCode, 14);
    assert.match(bad.stderr, /Unknown output field\(s\): colour/);
  });

  test('broken plugins each get one coded line naming them; the others still load', async () => {
    await writeTree(project.dir, {
      'local/api-two.mjs': "export default { name: 'plugin-api-two', apiVersion: 2, apply() {} };\n",
      'local/needs-dep.mjs': "import 'ganeti-plugin-helper-lib';\nexport default { name: 'plugin-needs-dep', apiVersion: 1, apply() {} };\n",
      'local/throws.mjs': "export default { name: 'plugin-throws', apiVersion: 1, apply(host) { host.hypervisors.register('half', {}); } };\n",
      'local/apply-fails.mjs': "export default { name: 'plugin-apply-fails', apiVersion: 1, apply() { throw new Error('cannot reach license server'); } };\n",
    });
    const config = {
      plugins: ['ganeti-plugin-examplehv', './local/api-two.mjs', './local/needs-dep.mjs', './local/apply-fails.mjs', 'ganeti-plugin-not-installed', 'ganeti-plugin-qemuimg'],
    };
    await writeFile(join(project.dir, 'ganeti.config.json'), JSON.stringify(config));
    const r = await gntDebug(['plugins'], { GANETI_CONFIG: join(project.dir, 'ganeti.config.json') });
    assert.equal(r.exitCode, 1);
    assert.deepEqual(r.stderr.trimEnd().split('\n').sort(), [
      "GNT_PLUGIN_API_VERSION: plugin 'plugin-api-two' was built for plugin API 2, this ganeti-ts supports API 1",
      "GNT_PLUGIN_APPLY_FAILED: plugin 'plugin-apply-fails' failed in apply(): cannot reach license server; none of its registrations were kept",
      "GNT_PLUGIN_DEPENDENCY_MISSING: plugin './local/needs-dep.mjs' needs 'ganeti-plugin-helper-lib', which is not installed or did not load",
      `GNT_PLUGIN_NOT_FOUND: plugin 'ganeti-plugin-not-installed' is not installed (listed in ${join(project.dir, 'ganeti.config.json')}); install it with npm or remove it from the list`,
    ]);
    const names = rowsOf(r.stdout).map((row) => row[0]);
    assert.ok(names.includes('ganeti-plugin-examplehv') && names.includes('ganeti-plugin-qemuimg'), r.stdout);
  });

  test('an invalid provider registration names the plugin and the problem', async () => {
    await writeFile(join(project.dir, 'bad.config.json'), JSON.stringify({ plugins: ['./local/throws.mjs'] }));
    const r = await gntDebug(['plugins'], { GANETI_CONFIG: join(project.dir, 'bad.config.json') });
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /^GNT_PROVIDER_INVALID: plugin 'plugin-throws' registers an invalid hypervisor provider 'half': params must be a JSON schema object$/m);
  });
});

describe('the two commands of the README', () => {
  test('npm start -- --detach initialises and starts a one-node cluster; npm stop stops it', async () => {
    const root = await tempDir('gnt-npm-start-');
    const env = { GANETI_ROOT: root, GANETI_HOSTNAME: 'demo.example.org', GANETI_NODE_IP: '127.0.1.202' };
    try {
      const r = await run(['npm', 'start', '--silent', '--', '--detach'], { cwd: REPO_ROOT, inheritEnv: 'all', env, timeoutMs: 60_000 });
      assert.equal(r.exitCode, 0, r.all);
      assert.match(r.stdout, /ganeti-ts \d+\.\d+\.\d+: \d+ plugin\(s\) loaded/);
      assert.match(r.stdout, /^builtin:hypervisors\/fake +\S+ +hypervisor +fake +migration_mode$/m);
      assert.match(r.stdout, /Initialised cluster 'cluster.ganeti-ts.local'/);
      const pid = Number(/ganeti-masterd started \(pid (\d+)\)/.exec(r.stdout)?.[1]);
      const nodedPid = Number(/ganeti-noded started \(pid (\d+)\), HTTPS on 127.0.1.202:1811/.exec(r.stdout)?.[1]);
      assert.ok(pid > 0 && nodedPid > 0, r.stdout);
      const info = await run([join(REPO_ROOT, 'dist/cli/gnt-cluster.js'), 'info'], { env });
      assert.equal(info.exitCode, 0, info.all);
      assert.match(info.stdout, /^Cluster name: cluster.ganeti-ts.local$/m);
      const again = await run(['npm', 'start', '--silent', '--', '--detach'], { cwd: REPO_ROOT, inheritEnv: 'all', env, timeoutMs: 60_000 });
      assert.match(again.stdout, new RegExp(`ganeti-masterd was already running \\(pid ${pid}\\)`));
      const stop = await run(['npm', 'stop', '--silent'], { cwd: REPO_ROOT, inheritEnv: 'all', env, timeoutMs: 30_000 });
      assert.equal(stop.exitCode, 0, stop.all);
      await waitGone(pid);
      await waitGone(nodedPid);
    } finally {
      await removeDir(root);
    }
  });

  test('gnt-cluster --version prints Ganeti\'s version line', async () => {
    const r = await run([project.bin('gnt-cluster'), '--version']);
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^gnt-cluster \(ganeti-ts v\d+\.\d+\.\d+\) \d+\.\d+\.\d+\n$/);
  });
});
