/** Every contract of ganeti-ts: what plugins implement and what the core hands them. */
export * from './plugin.js';
export * from './params.js';
export * from './context.js';
export * from './hooks.js';
export * from './hypervisor.js';
export * from './storage.js';
export * from './collector.js';
export * from './network.js';
export * from './os.js';
export * from './iallocator.js';
export * from './rpc.js';
