import { GanetiError } from '../../core/errors/index.js';

/**
 * `-F/--filter`: the arguments are one query-language expression (Ganeti's qlang), given as
 * the JSON filter form (`["=", "pnode", "node1"]`); the textual qlang is not parsed yet.
 */
export function parseQueryFilter(args: readonly string[]): unknown[] {
  const text = args.join(' ');
  try {
    const f = JSON.parse(text) as unknown;
    if (Array.isArray(f)) return f;
  } catch {
    // fall through
  }
  throw new GanetiError('GNT_CLI_INVALID_ARGUMENT', { reason: `-F: '${text}' is not a filter in JSON form (e.g. '["=", "pnode", "node1.example.com"]')` });
}
