/** Waiting for and stopping a qemu process. */
import { readFile } from 'node:fs/promises';
import { isQemu } from './runtime-files.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `pid` is gone; false if it still runs after `ms`. */
export async function waitGone(pid: number, ms: number, signal?: AbortSignal): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (!(await isQemu(pid))) return true;
    if (Date.now() >= end || signal?.aborted) return false;
    await sleep(50);
  }
}

export function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** CPU seconds used (utime + stime) from /proc/PID/stat, 0 when unknown. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return 0;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
