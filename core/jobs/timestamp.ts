import type { Timestamp } from './types.js';

/** Now as Ganeti's `[seconds, microseconds]`. */
export function nowTimestamp(): Timestamp {
  const us = Math.round((performance.timeOrigin + performance.now()) * 1000);
  return [Math.floor(us / 1e6), us % 1e6];
}

export const timestampSeconds = (t: Timestamp | null): number | null => (t ? t[0] + t[1] / 1e6 : null);
