#!/usr/bin/env node
import { Argument, Option } from 'commander';
import { createProgram, main } from './common/program.js';

// Commands are declared here and load their code on use, so `--version` and `--help` stay fast.
const program = createProgram('gnt-cluster', 'cluster administration');
// `command` passes options after the command line through (gnt-cluster command ls -l /etc)
program.enablePositionalOptions();
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
  .option('-D, --disk-parameters <template:k=v,...>', 'disk parameters of one disk template (repeatable)', collect)
  .option('--file-storage-dir <dir>', 'where file disks live')
  .option('--shared-file-storage-dir <dir>', 'where sharedfile disks live')
  .option('--vg-name <vg>', 'LVM volume group for plain and drbd disks')
  .option('--master-netdev <dev>', 'interface that carries the master IP')
  .option('--master-netmask <bits>', 'netmask of the master IP')
  .option('-C, --candidate-pool-size <n>', 'how many master candidates to keep')
  .option('-m, --mac-prefix <aa:bb:cc>', 'prefix of generated MAC addresses')
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

const verifyCmd = program
  .command('verify')
  .description('check that the nodes answer and agree with the master (versions, ssconf, config, plugins, clocks)')
  .option('--error-codes', 'print errors as ftype:ecode:edomain:name:msg for scripts')
  .option('-g, --node-group <group>', 'verify only the nodes of this group')
  .option('--ignore-errors <code>', 'report this error code (e.g. ENODETIME) as a warning (repeatable)', collect)
  .option('--no-nplus1-mem', 'skip the N+1 memory redundancy check')
  .option('--verify-ssh-clutter', 'also look for leftover SSH keys')
  // the generic opcode options (common/luxi.ts addOpcodeOptions), declared here to load lazily
  .addOption(new Option('--priority <priority>', 'job priority').choices(['low', 'normal', 'high']))
  .option('--submit', 'print the job id and return without waiting')
  .option('--print-jobid', 'also print the bare job id on stdout (for scripts)')
  .option('--reason <reason>', "reason recorded in the job's reason trail");
verifyCmd.action(async (opts: Record<string, unknown>) => {
  const [{ luxiAction }, { verifyCluster }] = await Promise.all([import('./common/luxi.js'), import('./commands/cluster-verify.js')]);
  await luxiAction(verifyCluster)(opts);
});

program
  .command('redist-conf')
  .description('send ssconf to every node and config.data to the master candidates again')
  .option('--submit', 'print the job id and return without waiting')
  .option('--reason <reason>', "reason recorded in the job's reason trail")
  .action(async (opts: Record<string, unknown>) => {
    const { luxiAction, submitAndWait } = await import('./common/luxi.js');
    await luxiAction(async () => {
      await submitAndWait([{ OP_ID: 'OP_CLUSTER_REDIST_CONF' }], opts, { binary: 'gnt-cluster', command: 'redist-conf' });
    })();
  });

const modifyCmd = program
  .command('modify')
  .description("change the cluster's parameters (checked as gnt-cluster init checks them)")
  .option('--enabled-hypervisors <list>', 'hypervisors instances may use, the first is the default')
  .option('--enabled-disk-templates <list>', 'disk templates instances may use')
  .option('-H, --hypervisor-parameters <hv:k=v,...>', 'hypervisor parameters (repeatable)', collect)
  .option('-B, --backend-parameters <k=v,...>', 'default backend parameters')
  .option('-N, --nic-parameters <k=v,...>', 'default NIC parameters')
  .option('--node-parameters <k=v,...>', 'default node parameters')
  .option('-D, --disk-parameters <template:k=v,...>', 'disk parameters of one disk template (repeatable)', collect)
  .option('-C, --candidate-pool-size <n>', 'how many master candidates to keep')
  .option('--max-running-jobs <n>', 'how many jobs may run at once')
  .option('--max-tracked-jobs <n>', 'how many jobs the scheduler tracks')
  .option('--vg-name <vg>', "LVM volume group ('' for none)")
  .option('--master-netdev <dev>', 'interface that carries the master IP')
  .option('--master-netmask <bits>', 'netmask of the master IP')
  .option('--file-storage-dir <dir>', 'where file disks live')
  .option('--shared-file-storage-dir <dir>', 'where sharedfile disks live')
  .option('--extstorage-search-path <dir,...>', "ExtStorage provider folders searched after the default one ('' for none)")
  .option('-m, --mac-prefix <aa:bb:cc>', 'prefix of generated MAC addresses')
  .option('--dry-run', 'run the checks only, change nothing')
  .addOption(new Option('--priority <priority>', 'job priority').choices(['low', 'normal', 'high']))
  .option('--submit', 'print the job id and return without waiting')
  .option('--print-jobid', 'also print the bare job id on stdout (for scripts)')
  .option('--reason <reason>', "reason recorded in the job's reason trail");
modifyCmd.action(async (opts: Record<string, unknown>) => {
  const [{ luxiAction }, { clusterModify }] = await Promise.all([import('./common/luxi.js'), import('./commands/cluster-modify.js')]);
  await luxiAction(clusterModify)(opts);
});

program
  .command('destroy')
  .description('remove the cluster: its configuration and files on the master; refused while other nodes exist')
  .option('--yes-do-it', 'confirm: destroying a cluster is irreversible')
  .action(async (opts: Record<string, unknown>) => {
    const [{ luxiAction }, { clusterDestroy }] = await Promise.all([import('./common/luxi.js'), import('./commands/cluster-destroy.js')]);
    await luxiAction(clusterDestroy)(opts);
  });

program
  .command('master-failover')
  .description('make this master candidate the master node')
  .option('--no-voting', "don't ask the other nodes who the master is (dangerous; asks for confirmation)")
  .option('--yes-do-it', 'with --no-voting: skip the confirmation')
  .action(async (opts: { voting: boolean; yesDoIt?: boolean }) => {
    const { clusterMasterFailover } = await import('./commands/cluster-master-failover.js');
    await clusterMasterFailover(opts);
  });

program
  .command('command')
  .description('run a shell command on every online node (or those given), the master last')
  .argument('<command...>', 'the command and its arguments, joined by spaces')
  .passThroughOptions()
  .option('-n, --node <node>', 'only on this node (repeatable)', collect)
  .option('-g, --node-group <group>', 'only on the nodes of this group')
  .option('-M', 'prefix every output line with the node name')
  .option('--failure-only', 'print only the nodes where the command failed')
  .action(async (args: string[], opts: { node?: string[]; nodeGroup?: string; M?: boolean; failureOnly?: boolean }) => {
    const [{ luxiAction }, { clusterCommand }] = await Promise.all([import('./common/luxi.js'), import('./commands/cluster-command.js')]);
    await luxiAction(clusterCommand)(args, { ...opts, ...(opts.nodeGroup !== undefined ? { nodegroup: opts.nodeGroup } : {}), showMachineNames: Boolean(opts.M) });
  });

program
  .command('copyfile')
  .description('copy a file to the same path on every other online node (or those given)')
  .argument('<file>', 'the file to copy')
  .option('-n, --node <node>', 'only to this node (repeatable)', collect)
  .option('-g, --node-group <group>', 'only to the nodes of this group')
  .action(async (file: string, opts: { node?: string[]; nodeGroup?: string }) => {
    const [{ luxiAction }, { clusterCopyFile }] = await Promise.all([import('./common/luxi.js'), import('./commands/cluster-command.js')]);
    await luxiAction(clusterCopyFile)(file, { ...opts, ...(opts.nodeGroup !== undefined ? { nodegroup: opts.nodeGroup } : {}) });
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
