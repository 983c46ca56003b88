/** Small helpers for the lock tests. */
import assert from 'node:assert/strict';
import { GanetiError } from '../../../core/errors/index.js';

/** Lets every pending promise job and immediate run. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(p: Promise<T>): { readonly settled: boolean; readonly value: T | undefined; readonly error: unknown; promise: Promise<T> } {
  const state = { settled: false, value: undefined as T | undefined, error: undefined as unknown, promise: p };
  p.then((v) => { state.settled = true; state.value = v; }, (e: unknown) => { state.settled = true; state.error = e; });
  return state;
}

export async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof GanetiError && e.code === code);
}

export function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof GanetiError && e.code === code);
}
