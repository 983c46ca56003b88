import { GanetiError, describeError } from '../errors/index.js';
import type { JobContext, OpCodeInput } from '../contracts/hooks.js';
import type { PluginHost } from '../plugin-host/host.js';
import { ALL_SET, BGL, LOCK_LEVELS, ResultWithJobs, type ConfigReader, type LockLevelName, type UnitContext } from './logical-unit.js';
import { UNIT_TABLE } from './unit-table.js';
import type { OpCode } from './opcodes/definitions.js';
import type { RpcClient } from '../rpc/index.js';
import { HooksMaster } from './hooks-master.js';

/** What the processor needs from the lock manager (core/jobs/locking.ts adapts core/locks). */
export interface LockingService {
  /**
   * Acquires `names` (or the whole level) at `level` for `owner`, retrying with growing
   * timeouts and raising the priority while it starves (`onWaiting` reports each failed
   * attempt and the new priority). Rejects when `signal` aborts; then nothing is held.
   */
  acquire(
    owner: number,
    level: LockLevelName,
    names: readonly string[] | typeof ALL_SET,
    shared: boolean,
    options: { priority: number; signal: AbortSignal; onWaiting: (priority: number) => void },
  ): Promise<void>;
  releaseAll(owner: number): void;
}

/** How one opcode's run reports back to its job. */
export interface OpcodeRun {
  readonly jobId: number;
  readonly opIndex: number;
  readonly priority: number;
  readonly signal: AbortSignal;
  /** Locks are being waited for (again); `priority` may have been raised. */
  waiting(priority: number): void;
  /** Locks are held; the opcode is about to run its checks and exec. Persisted before exec. */
  running(): Promise<void>;
  feedback(message: string): void;
}

/**
 * Runs one opcode through its logical unit's phases (Ganeti's mcpu): validate, check
 * arguments, expand names, take the locks level by level, check prerequisites, let plugins
 * veto (`beforeOpcode`), the pre hooks (`opcodeHooksPre`, dry runs included), exec, the post
 * hooks (`opcodeHooksPost`, not in dry runs), and always release the locks. `afterOpcode` is
 * the queue's.
 */
export class Processor {
  constructor(
    private readonly host: PluginHost,
    private readonly locks: LockingService,
    private readonly config: () => ConfigReader | null,
    /** The node RPC client (masterd creates it on first use); units that need it fail without. */
    private readonly rpc?: () => Promise<RpcClient>,
  ) {}

  /** Submits the jobs a unit asks for (ResultWithJobs); set by the queue's owner. */
  submitJobs: ((jobs: readonly (readonly Record<string, unknown>[])[]) => Promise<([true, number] | [false, string])[]>) | null = null;

  /** `input` was validated (and its defaults filled) when the job was submitted. */
  async run(input: OpCodeInput, run: OpcodeRun): Promise<unknown> {
    const op = input as unknown as OpCode;
    const config = this.config();
    // Ganeti runs the config-update hook when the opcode wrote the configuration.
    let configWritten = false;
    const reader: ConfigReader | null = config && {
      get data() {
        return config.data;
      },
      update: async (m) => {
        const r = await config.update(m);
        if (r.written) configWritten = true;
        return r;
      },
    };
    const rpc = () => (this.rpc ? this.rpc() : Promise.reject(new GanetiError('GNT_INTERNAL', { reason: 'this processor has no node RPC client' })));
    const ctx: UnitContext = {
      jobId: run.jobId,
      opIndex: run.opIndex,
      signal: run.signal,
      host: this.host,
      config: reader,
      rpc,
      feedback: (m) => run.feedback(m),
    };
    const Unit = UNIT_TABLE[op.OP_ID] as new (op: OpCode, ctx: UnitContext) => InstanceType<(typeof UNIT_TABLE)[typeof op.OP_ID]>;
    const lu = new Unit(op, ctx);
    lu.checkArguments();
    await lu.expandNames();
    let priority = run.priority;
    const onWaiting = (p: number) => {
      priority = p;
      run.waiting(p);
    };
    try {
      for (const level of LOCK_LEVELS) {
        if (level === 'cluster') {
          await this.locks.acquire(run.jobId, 'cluster', [BGL], !lu.requiresBgl, { priority, signal: run.signal, onWaiting });
          continue;
        }
        lu.declareLocks(level);
        const names = lu.neededLocks[level];
        if (names === undefined || (names !== ALL_SET && names.length === 0)) continue;
        await this.locks.acquire(run.jobId, level, names, lu.shareLocks[level] ?? false, { priority, signal: run.signal, onWaiting });
      }
      run.signal.throwIfAborted();
      await run.running();
      await lu.checkPrereq();
      const jobCtx: JobContext = { jobId: run.jobId, opIndex: run.opIndex, signal: run.signal, log: (m) => run.feedback(m) };
      const veto = await this.host.hooks.beforeOpcode.promise(op as unknown as OpCodeInput, jobCtx);
      if (veto) throw new GanetiError('GNT_OPCODE_VETOED', { opcode: op.OP_ID, plugin: veto.plugin ?? 'unknown', reason: veto.veto });
      // No configuration (before `gnt-cluster init`): no cluster, no hooks.
      const hooks = config ? new HooksMaster({ host: this.host, lu, op: op as unknown as OpCodeInput, job: jobCtx, config: () => config.data, rpc }) : null;
      let result: unknown;
      try {
        await hooks?.pre();
        if (op.dry_run) return null;
        result = await lu.exec();
        if (result instanceof ResultWithJobs) result = await this.#submitJobs(result);
      } catch (e) {
        if (!op.dry_run) await this.#post(hooks, 'error', configWritten, jobCtx);
        throw e;
      }
      await this.#post(hooks, 'success', configWritten, jobCtx);
      return result;
    } finally {
      this.locks.releaseAll(run.jobId);
    }
  }

  async #submitJobs(r: ResultWithJobs): Promise<Record<string, unknown>> {
    if (!this.submitJobs) throw new GanetiError('GNT_INTERNAL', { reason: 'this processor cannot submit jobs' });
    const jobs = r.jobs.length ? await this.submitJobs(r.jobs) : [];
    return { ...r.other, jobs };
  }

  /** Post hooks never change the outcome: their failures are warnings in the job log. */
  async #post(hooks: HooksMaster | null, status: 'success' | 'error', configWritten: boolean, job: JobContext): Promise<void> {
    if (!hooks) return;
    try {
      await hooks.post(status, configWritten);
    } catch (e) {
      job.log(` - WARNING: post hooks failed: ${e instanceof GanetiError ? e.toLine() : describeError(e)}`);
    }
  }
}
