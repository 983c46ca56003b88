import { ConfigStore } from '../../core/config/index.js';
import { distributeConfig, distributor } from '../../core/cluster/distribute.js';
import { createLogger } from '../../core/log.js';
import { ganetiPaths } from '../../core/paths.js';
import { RpcClient } from '../../core/rpc/index.js';

// A stand-in master for crash tests, run as its own process: opens the config of the root in
// argv[2] as the single writer and changes it in a loop, each write distributed to the
// candidates as masterd does (ssconf to all, config.data to candidates). Prints
// `serial N` after each durable write. Runs until killed.
const paths = ganetiPaths(process.argv[2]);
const log = createLogger('config-writer', 'warn');
const store = await ConfigStore.open(paths);
const rpc = await RpcClient.fromPaths(paths);
const distribution = distributor(() => distributeConfig(paths, rpc, store.data), log);
store.onWritten(() => distribution.schedule());
for (let i = 0; ; i++) {
  // a few hundred tags make each file tens of KB: writes and uploads take a while to cross
  await store.update((txn) => {
    txn.cluster().tags = Array.from({ length: 400 }, (_, k) => `write${i}-tag${k}`);
  });
  process.stdout.write(`serial ${store.data.serial_no}\n`);
}
