import { setTimeout as sleep } from 'node:timers/promises';
import { GanetiError } from '../../errors/index.js';
import { LogicalUnit } from '../logical-unit.js';
import type { OpTestDelay } from '../opcodes/definitions.js';

/**
 * OP_TEST_DELAY: sleeps `duration` seconds `repeat + 1` times on the master (nodes come
 * with the node daemon). Cancellable through the job's AbortSignal.
 */
export class TestDelayUnit extends LogicalUnit<OpTestDelay> {
  override readonly requiresBgl = false;

  override checkArguments(): void {
    if (!this.op.on_master && this.op.on_nodes.length === 0 && !this.op.on_node_uuids?.length)
      throw new GanetiError('GNT_OPCODE_INVALID', { opcode: 'OP_TEST_DELAY', field: 'on_nodes', problem: 'is empty and on_master is false: nothing to delay on' });
  }

  override expandNames(): void {
    if (!this.op.no_locks && this.op.on_nodes.length) {
      this.neededLocks = { node: [...this.op.on_nodes].sort() };
    }
  }

  async exec(): Promise<null> {
    const rounds = this.op.repeat + 1;
    for (let i = 0; i < rounds; i++) {
      if (this.op.repeat > 0) this.ctx.feedback(`Test delay iteration ${i + 1}/${rounds} starting`);
      if (this.op.duration > 0) await sleep(this.op.duration * 1000, undefined, { signal: this.ctx.signal });
      else this.ctx.signal.throwIfAborted();
    }
    return null;
  }
}
