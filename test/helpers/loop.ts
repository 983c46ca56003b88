/**
 * Real loop devices for storage tests: a sparse backing file in a temp folder, attached with
 * `losetup -f --show`. Only devices made here are ever detached (loop devices are global).
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runChecked } from '../../core/exec/index.js';

export interface LoopDevice {
  readonly path: string;
  readonly file: string;
}

/** Why loop devices cannot be made here, or null when they can. */
export async function loopUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'loop devices need root';
  const r = await run(['losetup', '--version']);
  return r.ok ? null : 'losetup is not installed';
}

export class LoopPool {
  private readonly devices: LoopDevice[] = [];
  private dir: string | undefined;

  /** A new loop device over a sparse file of `mib` MiB. */
  async create(mib: number): Promise<LoopDevice> {
    this.dir ??= await mkdtemp(join(tmpdir(), `gnt-loop-${process.pid}-`));
    const file = join(this.dir, `loop${this.devices.length}.img`);
    await writeFile(file, '');
    await truncate(file, mib * 1024 * 1024);
    const path = (await runChecked(['losetup', '-f', '--show', file])).stdout.trim();
    const dev = { path, file };
    this.devices.push(dev);
    return dev;
  }

  /** Detaches every device made by this pool and removes the backing files. */
  async cleanup(): Promise<void> {
    for (const d of this.devices.splice(0)) await run(['losetup', '-d', d.path]);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
