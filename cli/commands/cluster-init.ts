import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ganetiPaths } from '../../core/paths.js';
import { createPluginHost } from '../../core/plugin-host/index.js';
import { initCluster, type InitOptions } from '../../core/cluster/init.js';
import { runChecked } from '../../core/exec/index.js';
import { LuxiClient } from '../../core/luxi/client.js';
import { parseDiskParams, parseKeyValues, parseHvParams } from '../common/params.js';

export interface InitCliOptions {
  enabledHypervisors: string;
  enabledDiskTemplates: string;
  hypervisorParameters?: string[];
  backendParameters?: string;
  nicParameters?: string;
  nodeParameters?: string;
  diskParameters?: string[];
  fileStorageDir?: string;
  sharedFileStorageDir?: string;
  vgName?: string;
  masterNetdev?: string;
  masterNetmask?: string;
  candidatePoolSize?: string;
  macPrefix?: string;
  primaryIpVersion?: string;
  secondaryIp?: string;
  start: boolean;
}

/** This machine's node name (GANETI_HOSTNAME overrides, for several nodes on one machine). */
export async function thisNode(): Promise<{ name: string; ip: string }> {
  const name = process.env['GANETI_HOSTNAME'] || hostname();
  const ip = process.env['GANETI_NODE_IP'] || (await lookup(name, { family: 4 }).then((r) => r.address, () => '127.0.0.1'));
  return { name, ip };
}

/** Starts a daemon as an init script would: it detaches itself and returns once it answers. */
export async function startDaemon(script: 'ganeti-masterd' | 'ganeti-noded', args: string[] = []): Promise<void> {
  await mkdir(ganetiPaths().logDir, { recursive: true });
  const entry = fileURLToPath(new URL(`../${script}.js`, import.meta.url));
  await runChecked([process.execPath, entry, ...args], { inheritEnv: 'all', timeoutMs: 60_000 });
}

export async function waitForMaster(timeoutMs = 30_000): Promise<void> {
  const client = new LuxiClient({ socketPath: ganetiPaths().luxiSocket, connectTimeoutMs: timeoutMs, waitForServer: true });
  try {
    await client.call('QueryConfigValues', [['cluster_name']]);
  } finally {
    client.close();
  }
}

export async function clusterInit(name: string, o: InitCliOptions): Promise<void> {
  const paths = ganetiPaths();
  const host = await createPluginHost({ paths });
  for (const e of host.errors) process.stderr.write(`warning: ${e.toLine()}\n`);
  const node = await thisNode();
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const options: InitOptions = {
    clusterName: name,
    masterName: node.name,
    masterIp: node.ip,
    enabledHypervisors: list(o.enabledHypervisors),
    enabledDiskTemplates: list(o.enabledDiskTemplates),
    hvparams: parseHvParams(o.hypervisorParameters ?? []),
    beparams: parseKeyValues(o.backendParameters, '-B'),
    nicparams: parseKeyValues(o.nicParameters, '-N'),
    ndparams: parseKeyValues(o.nodeParameters, '--node-parameters'),
    diskparams: parseDiskParams(o.diskParameters ?? []),
    ...(o.secondaryIp ? { secondaryIp: o.secondaryIp } : {}),
    ...(o.fileStorageDir ? { fileStorageDir: o.fileStorageDir } : {}),
    ...(o.sharedFileStorageDir ? { sharedFileStorageDir: o.sharedFileStorageDir } : {}),
    ...(o.vgName ? { volumeGroupName: o.vgName } : {}),
    ...(o.masterNetdev ? { masterNetdev: o.masterNetdev } : {}),
    ...(o.masterNetmask ? { masterNetmask: Number(o.masterNetmask) } : {}),
    ...(o.candidatePoolSize ? { candidatePoolSize: num(o.candidatePoolSize)! } : {}),
    ...(o.macPrefix ? { macPrefix: o.macPrefix } : {}),
    ...(o.primaryIpVersion ? { primaryIpVersion: Number(o.primaryIpVersion) === 6 ? 6 : 4 } : {}),
  };
  await initCluster(paths, host, options);
  if (o.start) {
    // Independent daemons (the master reaches its node daemon only when it first needs it):
    // started side by side; every launch is waited for before a failure is reported.
    const started = await Promise.allSettled([startDaemon('ganeti-noded', ['-b', node.ip]), startDaemon('ganeti-masterd')]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
