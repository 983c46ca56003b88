/**
 * Built-in plugin: the `ext` disk template (Ganeti's ExtStorage interface). Option
 * `timeouts`: seconds per action script, e.g. `["builtin:storage/ext", {"timeouts": {"create": 900}}]`.
 */
import { PLUGIN_API_VERSION, definePlugin } from '../../core/index.js';
import { createExtStorage } from './ext-storage.js';
import { TEMPLATE } from './logical-id.js';
import { OPTIONS_SCHEMA, resolveTimeouts } from './timeouts.js';

export default definePlugin({
  name: 'builtin:storage/ext',
  apiVersion: PLUGIN_API_VERSION,
  optionsSchema: OPTIONS_SCHEMA,
  apply(host) {
    host.storage.register(TEMPLATE, createExtStorage(resolveTimeouts(host.options['timeouts'])));
  },
});
