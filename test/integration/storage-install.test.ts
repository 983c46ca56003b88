import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../core/exec/index.js';
import { REPO_ROOT } from '../helpers/tmp.js';
import { startLoopbackCluster, type LoopbackCluster } from '../helpers/cluster.js';

// `gnt-storage install` on three real node daemons (127.0.10.11-13): node3 is in group
// `other`, node2 is made non-vm_capable; every copy goes over the node RPC.
let cluster: LoopbackCluster;
let src: string;

const cli = async (tool: string, ...args: string[]) => {
  const r = await run([process.execPath, join(REPO_ROOT, `dist/cli/${tool}.js`), ...args], { cwd: src, env: { GANETI_ROOT: cluster.roots[0]! }, timeoutMs: 60_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, all: r.all };
};
const installed = (node: number, provider: string, file = '') => join(cluster.paths[node]!.extstorageSearchPath[0]!, provider, file);
const SCRIPTS = ['create', 'attach', 'detach', 'remove', 'grow', 'setinfo', 'verify'];

async function providerDir(dir: string, marker: string): Promise<void> {
  await mkdir(join(dir, 'lib'), { recursive: true });
  for (const s of SCRIPTS) {
    await writeFile(join(dir, s), `#!/bin/sh\n# ${marker}\nexit 0\n`);
    await chmod(join(dir, s), 0o755);
  }
  await writeFile(join(dir, 'parameters.list'), 'pool the pool to use\n');
  await writeFile(join(dir, 'lib', 'common.sh'), `# ${marker}\n`);
  await chmod(join(dir, 'lib', 'common.sh'), 0o640);
}

before(async () => {
  cluster = await startLoopbackCluster({
    prefix: 'gnt-storage-install-',
    masterd: true,
    keyType: 'ec',
    nodes: [
      { name: 'node1.example.org', ip: '127.0.10.11' },
      { name: 'node2.example.org', ip: '127.0.10.12' },
      { name: 'node3.example.org', ip: '127.0.10.13' },
    ],
  });
  src = join(cluster.top, 'src');
  await mkdir(src);
  assert.equal((await cli('gnt-group', 'add', 'other')).code, 0);
  assert.equal((await cli('gnt-group', 'assign-nodes', 'other', 'node3.example.org')).code, 0);
});
after(() => cluster?.destroy());

test('a provider folder reaches every vm_capable node with its files and modes; a new copy replaces the old', async () => {
  await providerDir(join(src, 'loopy'), 'v1');
  const r = await cli('gnt-storage', 'install', join(src, 'loopy'));
  assert.equal(r.code, 0, r.all);
  for (const i of [0, 1, 2]) {
    assert.match(r.stdout, new RegExp(`Installed loopy on node${i + 1}\\.example\\.org in ${installed(i, 'loopy').replace(/[/.]/g, '\\$&')}\\n`));
    assert.equal(readFileSync(installed(i, 'loopy', 'create'), 'utf8'), '#!/bin/sh\n# v1\nexit 0\n');
    assert.equal(statSync(installed(i, 'loopy', 'create')).mode & 0o777, 0o755);
    assert.equal(statSync(installed(i, 'loopy', 'lib/common.sh')).mode & 0o777, 0o640);
    assert.equal(readFileSync(installed(i, 'loopy', 'parameters.list'), 'utf8'), 'pool the pool to use\n');
  }
  // then each node's diagnosis, as gnt-storage diagnose prints it (paths as on a node rooted at /)
  const diag = r.stdout.slice(r.stdout.indexOf('Provider: '));
  assert.equal(
    diag,
    [
      'Provider: loopy',
      '---',
      ...[1, 2, 3].map((i) => `  Node: node${i}.example.org, status: valid (path: /srv/ganeti/extstorage/loopy) [parameters: pool]`),
      '  --',
      '  For nodegroup: default --> valid',
      '  For nodegroup: other --> valid',
      '',
      '',
    ].join('\n'),
  );
  await run(['rm', join(src, 'loopy', 'lib', 'common.sh')]);
  await writeFile(join(src, 'loopy', 'create'), '#!/bin/sh\n# v2\nexit 0\n');
  assert.equal((await cli('gnt-storage', 'install', join(src, 'loopy'))).code, 0);
  assert.equal(readFileSync(installed(1, 'loopy', 'create'), 'utf8'), '#!/bin/sh\n# v2\nexit 0\n');
  assert.equal(existsSync(installed(1, 'loopy', 'lib/common.sh')), false, 'the old copy is replaced, not merged');
});

test('--node-group limits the copy to that group; non-vm_capable nodes get nothing', async (t) => {
  assert.equal((await cli('gnt-node', 'modify', '--vm-capable', 'no', 'node2.example.org')).code, 0);
  t.after(async () => assert.equal((await cli('gnt-node', 'modify', '--vm-capable', 'yes', 'node2.example.org')).code, 0));
  await providerDir(join(src, 'grouped'), 'g');
  const r = await cli('gnt-storage', 'install', '-g', 'other', join(src, 'grouped'));
  assert.equal(r.code, 0, r.all);
  assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('Installed')), [`Installed grouped on node3.example.org in ${installed(2, 'grouped')}`]);
  assert.equal(existsSync(installed(0, 'grouped')), false);
  // node1 (group default) lacks it, node2 is not vm_capable and is not asked
  assert.match(r.stdout, /  Node: node3\.example\.org, status: valid .*\n  Node: node1\.example\.org, status: ExtStorage provider not found\n  --\n  For nodegroup: other --> valid\n  For nodegroup: default --> invalid\n/);
  const all = await cli('gnt-storage', 'install', '--name', 'renamed', join(src, 'grouped'));
  assert.equal(all.code, 0, all.all);
  assert.equal(existsSync(installed(1, 'renamed')), false, 'node2 is not vm_capable');
  assert.ok(existsSync(installed(0, 'renamed', 'create')) && existsSync(installed(2, 'renamed', 'create')));
});

test('an npm package (folder or packed tarball) installs the providers its package.json declares', async () => {
  const pkg = join(src, 'ganeti-es-pack');
  await providerDir(join(pkg, 'providers', 'pa'), 'pa');
  await providerDir(join(pkg, 'providers', 'pb'), 'pb');
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'ganeti-es-pack', version: '1.0.0', ganeti: { extstorage: { pa: 'providers/pa', pb: 'providers/pb' } } }));
  const r = await cli('gnt-storage', 'install', pkg);
  assert.equal(r.code, 0, r.all);
  assert.ok(existsSync(installed(1, 'pa', 'attach')) && existsSync(installed(1, 'pb', 'attach')));
  const pack = await run(['npm', 'pack', '--silent', pkg], { cwd: src, timeoutMs: 60_000 });
  assert.equal(pack.exitCode, 0, pack.all);
  await run(['rm', '-rf', installed(2, 'pa')]);
  const t = await cli('gnt-storage', 'install', join(src, pack.stdout.trim()));
  assert.equal(t.code, 0, t.all);
  assert.equal(readFileSync(installed(2, 'pa', 'create'), 'utf8'), '#!/bin/sh\n# pa\nexit 0\n');
  assert.equal(statSync(installed(2, 'pa', 'create')).mode & 0o777, 0o755);
  // installed with npm into the project, then named
  const npmI = await run(['npm', 'install', '--no-save', '--offline', '--no-audit', '--no-fund', join(src, pack.stdout.trim())], { cwd: src, timeoutMs: 60_000 });
  assert.equal(npmI.exitCode, 0, npmI.all);
  await run(['rm', '-rf', installed(0, 'pb')]);
  const byName = await cli('gnt-storage', 'install', 'ganeti-es-pack');
  assert.equal(byName.code, 0, byName.all);
  assert.ok(existsSync(installed(0, 'pb', 'attach')));
});

test('what is not a provider is refused, naming it', async () => {
  await mkdir(join(src, 'empty'));
  const cases: [string, RegExp][] = [
    [join(src, 'empty'), /GNT_ES_INSTALL_INVALID: cannot install ExtStorage provider 'empty': .*holds neither parameters.list nor package.json/],
    ['no-such-package', /GNT_ES_INSTALL_INVALID: cannot install ExtStorage provider 'no-such-package': it is not a folder, an npm tarball or an installed npm package/],
  ];
  for (const [arg, re] of cases) {
    const r = await cli('gnt-storage', 'install', arg);
    assert.equal(r.code, 1, arg);
    assert.match(r.stderr, re);
  }
  await providerDir(join(src, 'bad name'), 'x');
  const bad = await cli('gnt-storage', 'install', join(src, 'bad name'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /GNT_ES_INSTALL_INVALID: cannot install ExtStorage provider 'bad name': a provider name is one folder name/);
});
