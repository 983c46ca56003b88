/**
 * Migration of fake instances between nodes.
 *
 * The instance's state travels in the migration info: `migrationInfo` (source) returns the
 * state document, the master hands it to `acceptInstance` (target), which writes it as an
 * incoming marker; `finalizeMigrationDst` turns the marker into the running state and
 * `finalizeMigrationSource` removes the source's copy. KVM moves its runtime description
 * the same way. The source never writes into the target's folder: MigrationTarget names
 * the target node and address but not its paths, and on a real cluster that folder is on
 * another machine anyway.
 */
import { GanetiError, describeError, type HypervisorMigration, type ProviderContext } from '../../core/index.js';
import { attachNics, connectAll, disconnectAll } from './nics.js';
import {
  HV_NAME,
  incomingPath,
  parseState,
  readState,
  removeState,
  runningState,
  statePath,
  writeState,
  type FakeInstanceState,
} from './state-files.js';

const MIB = 1024 * 1024;

const failed = (action: string, reason: string) => new GanetiError('GNT_HV_FAILED', { hypervisor: HV_NAME, action, reason });

/** The state without the source-side migration record. */
const withoutMigration = ({ migration: _gone, ...rest }: FakeInstanceState): FakeInstanceState => rest;

const warn = (ctx: ProviderContext, instance: string, e: unknown) =>
  ctx.log.warn(`fake instance ${instance}: NIC disconnect failed while finishing a migration: ${describeError(e)}`);

export const fakeMigration: HypervisorMigration = {
  async migrationInfo(instance, ctx) {
    return JSON.stringify(withoutMigration(await runningState(instance.name, ctx)));
  },

  async acceptInstance(instance, info, disks, opts, ctx) {
    if (await readState(statePath(ctx.paths, instance.name)))
      throw new GanetiError('GNT_HV_INSTANCE_RUNNING', { hypervisor: HV_NAME, instance: instance.name, node: ctx.nodeName });
    const source = parseState(info, `the migration info of '${instance.name}'`);
    if (source.name !== instance.name)
      throw failed(`accept instance '${instance.name}'`, `the migration info describes instance '${source.name}'`);
    // The target's own disk paths and interfaces replace the source's.
    const nics = attachNics(instance);
    await connectAll(opts.network, nics);
    try {
      await writeState(incomingPath(ctx.paths, instance.name), { ...withoutMigration(source), disks: [...disks], nics });
    } catch (e) {
      await disconnectAll(opts.network, nics).catch(() => undefined);
      throw e;
    }
  },

  async migrate(_clusterName, instance, target, live, ctx) {
    const state = await runningState(instance.name, ctx);
    if (state.migration)
      throw failed(`migrate instance '${instance.name}'`, `it is already migrating to ${state.migration.target}`);
    // Nothing to copy: the state already went to the target in the migration info, so the
    // "transfer" is complete at once; the record answers migrationStatus until finalized.
    await writeState(statePath(ctx.paths, instance.name), {
      ...state,
      migration: { target: target.node, ip: target.ip, live, started: new Date().toISOString() },
    });
    ctx.log.info(`fake instance ${instance.name} migrated to ${target.node} (${live ? 'live' : 'non-live'})`);
  },

  async migrationStatus(instance, ctx) {
    const state = await readState(statePath(ctx.paths, instance.name));
    if (!state?.migration) throw new GanetiError('GNT_HV_NOT_MIGRATING', { hypervisor: HV_NAME, instance: instance.name, node: ctx.nodeName });
    return { status: 'completed', transferred_ram: state.memory * MIB, total_ram: state.memory * MIB };
  },

  async finalizeMigrationDst(instance, _info, success, opts, ctx) {
    const marker = incomingPath(ctx.paths, instance.name);
    const incoming = await readState(marker);
    if (success) {
      if (!incoming) {
        // Called again after it succeeded: nothing left to do.
        if (await readState(statePath(ctx.paths, instance.name))) return;
        throw failed(`finish receiving instance '${instance.name}'`, 'it was not accepted on this node');
      }
      await writeState(statePath(ctx.paths, instance.name), incoming);
    } else if (incoming) {
      // The migration is being aborted: tear down regardless, but say what could not be undone.
      await disconnectAll(opts.network, incoming.nics).catch((e: unknown) => warn(ctx, instance.name, e));
    }
    await removeState(marker);
  },

  async finalizeMigrationSource(instance, success, _live, opts, ctx) {
    const path = statePath(ctx.paths, instance.name);
    const state = await readState(path);
    if (!state) return;
    if (!success) {
      // The instance never stopped here: it just is no longer migrating.
      await writeState(path, withoutMigration(state));
      return;
    }
    await disconnectAll(opts.network, state.nics).catch((e: unknown) => warn(ctx, instance.name, e));
    await removeState(path);
  },
};
