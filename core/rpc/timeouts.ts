/**
 * RPC timeout classes (Ganeti's RPC_TMO_*), in seconds. A call's class is in its table entry;
 * a few calls compute theirs from the arguments (test_delay: duration + 5 s).
 */
export const RPC_TIMEOUTS = Object.freeze({
  URGENT: 60,
  FAST: 5 * 60,
  NORMAL: 15 * 60,
  SLOW: 3600,
  FOUR_HOURS: 4 * 3600,
  ONE_DAY: 86400,
} as const);

export type RpcTimeoutClass = keyof typeof RPC_TIMEOUTS;

export const isTimeoutClass = (v: unknown): v is RpcTimeoutClass => typeof v === 'string' && Object.hasOwn(RPC_TIMEOUTS, v);

/** `60 s`, `1.5 s`, `300 ms` for messages. */
export function formatTimeout(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
