#!/usr/bin/env node
import { createPluginHost } from '../core/plugin-host/index.js';
import { VERSION } from '../core/version.js';
import { pluginTable } from './commands/debug-plugins.js';

/**
 * `npm start`. For now: load the built-in and configured plugins and show what they
 * registered. Later issues make it initialise and start a one-node cluster under ./var.
 */
const host = await createPluginHost();
process.stdout.write(`ganeti-ts ${VERSION}: ${host.plugins.length} plugin(s) loaded\n\n`);
process.stdout.write(`${pluginTable(host, { headers: true }).join('\n')}\n`);
for (const e of host.errors) process.stderr.write(`warning: ${e.toLine()}\n`);
process.stdout.write('\nNo cluster is started yet: this build provides the plugin host only (see README).\n');
