import { performance } from 'node:perf_hooks';
/** Small helpers for benchmarks: timing and percentiles. Benchmarks print; they assert nothing. */
export const median = (xs: readonly number[]) => percentile(xs, 50);

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export function report(name: string, samplesMs: readonly number[], target?: string): void {
  const f = (n: number) => `${n.toFixed(1)} ms`;
  process.stdout.write(
    `${name.padEnd(48)} median ${f(median(samplesMs))}  p90 ${f(percentile(samplesMs, 90))}  p95 ${f(percentile(samplesMs, 95))}  min ${f(Math.min(...samplesMs))}  n=${samplesMs.length}${target ? `  (target ${target})` : ''}\n`,
  );
}

/** Runs `fn` `rounds` times and returns each run's wall time in ms. */
export async function timeRuns(rounds: number, fn: (round: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}
