#!/usr/bin/env node
import { Argument, Option } from 'commander';
import { createProgram, main } from './common/program.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-cluster', 'cluster administration');
const collect = (v: string, all: string[] = []) => [...all, v];

program
  .command('init')
  .description('create a cluster with this machine as its master, and start the master daemon')
  .argument('<clustername>', 'the cluster name')
  .option('--enabled-hypervisors <list>', 'hypervisors instances may use, the first is the default', 'fake')
  .option('--enabled-disk-templates <list>', 'disk templates instances may use', 'file,diskless')
  .option('-H, --hypervisor-parameters <hv:k=v,...>', 'hypervisor parameters (repeatable)', collect)
  .option('-B, --backend-parameters <k=v,...>', 'default backend parameters (minmem, maxmem, vcpus, ...)')
  .option('-N, --nic-parameters <k=v,...>', 'default NIC parameters (mode, link, vlan)')
  .option('--node-parameters <k=v,...>', 'default node parameters')
  .option('--file-storage-dir <dir>', 'where file disks live')
  .option('--shared-file-storage-dir <dir>', 'where sharedfile disks live')
  .option('--vg-name <vg>', 'LVM volume group for plain and drbd disks')
  .option('--master-netdev <dev>', 'interface that carries the master IP')
  .option('--master-netmask <bits>', 'netmask of the master IP')
  .option('-C, --candidate-pool-size <n>', 'how many master candidates to keep')
  .option('--mac-prefix <aa:bb:cc>', 'prefix of generated MAC addresses')
  .addOption(new Option('--primary-ip-version <4|6>', 'IP version of the primary addresses').choices(['4', '6']))
  .option('-s, --secondary-ip <ip>', "this node's secondary (replication) address")
  .option('--no-start', 'do not start the master daemon')
  .action(async (name: string, opts) => {
    const { clusterInit } = await import('./commands/cluster-init.js');
    await clusterInit(name, opts);
  });

program
  .command('info')
  .description("show the cluster's configuration and default parameters")
  .action(async () => {
    const [{ luxiAction }, { showClusterInfo }] = await Promise.all([import('./common/luxi.js'), import('./commands/cluster-info.js')]);
    await luxiAction(showClusterInfo)();
  });

program
  .command('version')
  .description("show the cluster's software, protocol and configuration versions")
  .action(async () => {
    const [{ luxiAction }, { showClusterVersion }] = await Promise.all([import('./common/luxi.js'), import('./commands/cluster-info.js')]);
    await luxiAction(showClusterVersion)();
  });

program
  .command('getmaster')
  .description('print the name of the master node')
  .action(async () => {
    const { showMaster } = await import('./commands/cluster-info.js');
    await showMaster().catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      process.stderr.write('This node is not part of a cluster (no ssconf files)\n');
      process.exitCode = 5;
    });
  });

program
  .command('queue')
  .description('drain or undrain the job queue, or show whether it is drained')
  .addArgument(new Argument('<command>', 'drain, undrain or info').choices(['drain', 'undrain', 'info']))
  .action(async (command: string) => {
    const [{ luxiAction }, { queueOps }] = await Promise.all([import('./common/luxi.js'), import('./commands/cluster-info.js')]);
    await luxiAction(queueOps)(command);
  });

main(program);
