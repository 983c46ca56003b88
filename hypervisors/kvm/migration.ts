/**
 * Live and non-live migration of kvm instances (Ganeti's hv_kvm migration): the target
 * starts the same machine waiting for its state (`-incoming tcp:ADDRESS:migration_port`),
 * the source sends it over QMP `migrate` with the migration_bandwidth and
 * migration_downtime limits, `query-migrate` reports progress, and each side finishes
 * (target: `cont`, or killed on failure; source: quit, or `cont` again on failure).
 */
import { GanetiError, type HypervisorMigration, type MigrationStatus } from '../../core/index.js';
import { destroy, launch } from './lifecycle.js';
import { qmp } from './qmp.js';
import { HV_NAME, kvmFiles, livePid, readRuntime, type KvmRuntime } from './runtime-files.js';

const MIB = 1024 * 1024;

const notRunning = (instance: string, node: string) => new GanetiError('GNT_HV_INSTANCE_NOT_RUNNING', { hypervisor: HV_NAME, instance, node });

export const kvmMigration: HypervisorMigration = {
  async migrationInfo(inst, ctx) {
    const rt = await readRuntime(ctx.paths, inst.name);
    if (!rt || (await livePid(ctx.paths, inst.name)) === null) throw notRunning(inst.name, ctx.nodeName);
    return JSON.stringify({ name: rt.instance.name, memory: rt.memory });
  },

  async acceptInstance(inst, info, disks, opts, ctx) {
    let source: Pick<KvmRuntime, 'memory'> & { name: string };
    try {
      source = JSON.parse(info) as typeof source;
    } catch {
      throw new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action: `accept instance '${inst.name}'`, reason: 'the migration info is not the source\'s runtime description' });
    }
    if (source.name !== inst.name) throw new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action: `accept instance '${inst.name}'`, reason: `the migration info describes instance '${source.name}'` });
    const port = Number(inst.hvparams['migration_port'] ?? 8102);
    await launch(inst, disks, opts, { paused: true, incoming: `tcp:${opts.address ?? '0.0.0.0'}:${port}`, memory: source.memory }, ctx);
  },

  async migrate(_cluster, inst, target, live, ctx) {
    const files = kvmFiles(ctx.paths, inst.name);
    if ((await livePid(ctx.paths, inst.name)) === null) throw notRunning(inst.name, ctx.nodeName);
    const hv = inst.hvparams;
    await qmp(files.qmp, 'migrate-set-parameters', { 'max-bandwidth': Number(hv['migration_bandwidth'] ?? 32) * MIB, 'downtime-limit': Number(hv['migration_downtime'] ?? 30) });
    if (!live) await qmp(files.qmp, 'stop');
    await qmp(files.qmp, 'migrate', { uri: `tcp:${target.ip}:${Number(hv['migration_port'] ?? 8102)}` });
  },

  async migrationStatus(inst, ctx) {
    if ((await livePid(ctx.paths, inst.name)) === null) throw notRunning(inst.name, ctx.nodeName);
    const q = await qmp<{ status?: string; ram?: { transferred?: number; total?: number } }>(kvmFiles(ctx.paths, inst.name).qmp, 'query-migrate');
    if (!q.status || q.status === 'none') throw new GanetiError('GNT_HV_NOT_MIGRATING', { hypervisor: HV_NAME, instance: inst.name, node: ctx.nodeName });
    const status: MigrationStatus['status'] =
      q.status === 'completed' ? 'completed' : q.status === 'failed' ? 'failed' : q.status === 'cancelled' || q.status === 'cancelling' ? 'cancelled' : q.status === 'postcopy-active' ? 'postcopy-active' : 'active';
    return { status, ...(q.ram?.transferred !== undefined ? { transferred_ram: q.ram.transferred } : {}), ...(q.ram?.total !== undefined ? { total_ram: q.ram.total } : {}) };
  },

  async finalizeMigrationDst(inst, _info, success, opts, ctx) {
    if (!success) return destroy(inst.name, opts, ctx);
    if ((await livePid(ctx.paths, inst.name)) === null) throw notRunning(inst.name, ctx.nodeName);
    const st = await qmp<{ status?: string }>(kvmFiles(ctx.paths, inst.name).qmp, 'query-status');
    // the incoming machine stays paused until the state is in; then it runs
    if (st.status !== 'running') await qmp(kvmFiles(ctx.paths, inst.name).qmp, 'cont');
  },

  async finalizeMigrationSource(inst, success, _live, opts, ctx) {
    if (success) return destroy(inst.name, opts, ctx);
    if ((await livePid(ctx.paths, inst.name)) === null) return;
    const files = kvmFiles(ctx.paths, inst.name);
    await qmp(files.qmp, 'migrate_cancel').catch(() => undefined);
    const st = await qmp<{ status?: string }>(files.qmp, 'query-status');
    if (st.status !== 'running') await qmp(files.qmp, 'cont');
  },
};
