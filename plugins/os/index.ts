/**
 * Built-in plugin: OS definitions as script folders (Ganeti's OS interface, interfaces §1) in
 * the node's OS search path, `/srv/ganeti/os` then `/usr/share/ganeti/os` under the root.
 */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { osScripts } from './os-scripts.js';

export default definePlugin({
  name: 'builtin:plugins/os',
  apiVersion: PLUGIN_API_VERSION,
  apply(host) {
    host.os.register('scripts', osScripts);
  },
});
