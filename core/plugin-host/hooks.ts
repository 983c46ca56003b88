import { AsyncParallelHook, AsyncSeriesBailHook, AsyncSeriesHook, SyncHook } from 'tapable';
import type { HostHooks } from '../contracts/hooks.js';

/**
 * Every hook of the host, in one frozen object (webpack's Compiler.hooks). The tapable class
 * of each hook is its contract: see core/contracts/hooks.ts for who calls it and when.
 */
export const createHostHooks = (): HostHooks =>
  Object.freeze({
    pluginsLoaded: new SyncHook(['plugins']),
    daemonStarting: new AsyncSeriesHook(['daemon']),
    beforeOpcode: new AsyncSeriesBailHook(['op', 'job']),
    opcodeHooksPre: new AsyncSeriesHook(['hooks']),
    opcodeHooksPost: new AsyncSeriesHook(['hooks']),
    afterOpcode: new AsyncParallelHook(['op', 'outcome']),
    configWritten: new SyncHook(['config']),
    beforeInstanceStart: new AsyncSeriesBailHook(['instance']),
    afterInstanceStart: new AsyncParallelHook(['instance']),
    afterInstanceStop: new AsyncParallelHook(['instance']),
    shutdown: new AsyncParallelHook([]),
  } satisfies HostHooks);

export const HOOK_NAMES = Object.freeze(Object.keys(createHostHooks()) as (keyof HostHooks)[]);
