/**
 * The drbd disk parameters (cluster/group diskparams, `gnt-cluster modify -D drbd:...`) and
 * how each becomes a drbdsetup 8.4 option. Ranges are drbdsetup 8.4's own (`drbdsetup help
 * attach`), so a value DRBD would refuse is refused on the master already.
 */
import { GanetiError, type Params, type ParamsSchema } from '../../core/index.js';
import { TEMPLATE } from './logical-id.js';

const int = (minimum: number, maximum: number, description: string) => ({ type: 'integer', minimum, maximum, description });

export const DRBD_PARAMS: ParamsSchema = Object.freeze({
  type: 'object',
  properties: Object.freeze({
    'resync-rate': int(1, 4194304, 'Static resync speed, KiB/s (used when dynamic-resync is off)'),
    'dynamic-resync': { type: 'boolean', description: 'Use the dynamic resync speed controller (the c-* parameters)' },
    'c-plan-ahead': int(0, 300, 'Dynamic resync: planning horizon, tenths of a second (0 disables the controller)'),
    'c-fill-target': int(0, 1048576, 'Dynamic resync: in-flight data target, sectors'),
    'c-delay-target': int(1, 100, 'Dynamic resync: delay target, tenths of a second'),
    'c-max-rate': int(250, 4194304, 'Dynamic resync: maximum rate, KiB/s'),
    'c-min-rate': int(0, 4194304, 'Dynamic resync: minimum rate, KiB/s'),
    'disk-barriers': { type: 'string', pattern: '^(n|[bfd]{1,3})$', description: "Disk barrier methods to disable: 'n' (none) or letters of b (barrier), f (flush), d (drain)" },
    'meta-barriers': { type: 'boolean', description: 'Disable flushes on the meta device (--md-flushes=no)' },
    'protocol': { type: 'string', enum: ['A', 'B', 'C'], description: 'Replication protocol' },
    'disk-custom': { type: 'string', description: 'Extra drbdsetup attach options, shell words' },
    'net-custom': { type: 'string', description: 'Extra drbdsetup connect options, shell words' },
    'metavg': { type: 'string', description: 'Volume group of the meta LVs (used by the master when creating the children)' },
    'data-stripes': { type: 'integer', minimum: 1, description: 'Stripes of the data LV' },
    'meta-stripes': { type: 'integer', minimum: 1, description: 'Stripes of the meta LV' },
  }),
});

/** Ganeti's defaults, for parameters a caller left out. */
export const DRBD_DEFAULTS = Object.freeze({
  'resync-rate': 61440,
  'dynamic-resync': false,
  'c-plan-ahead': 20,
  'c-fill-target': 0,
  'c-delay-target': 1,
  'c-max-rate': 61440,
  'c-min-rate': 4096,
  'disk-barriers': 'n',
  'meta-barriers': true,
  'protocol': 'C',
  'disk-custom': '',
  'net-custom': '',
});

export type DrbdParams = { -readonly [K in keyof typeof DRBD_DEFAULTS]: (typeof DRBD_DEFAULTS)[K] extends boolean ? boolean : (typeof DRBD_DEFAULTS)[K] extends number ? number : string };

const owner = `disk template ${TEMPLATE}`;
const bad = (param: string, problem: string) => new GanetiError('GNT_PARAM_INVALID', { owner, param, problem });

/** `params` over the defaults, type-checked (the node does not trust the master's filling). */
export function drbdParams(params: Params): DrbdParams {
  const out = { ...DRBD_DEFAULTS } as DrbdParams;
  for (const [name, def] of Object.entries(DRBD_DEFAULTS)) {
    const v = params[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== typeof def) throw bad(name, `must be a ${typeof def}, not ${JSON.stringify(v)}`);
    (out as Record<string, unknown>)[name] = v;
  }
  diskBarrierArgs(out['disk-barriers'], out['meta-barriers']);
  if (!['A', 'B', 'C'].includes(out.protocol)) throw bad('protocol', `must be A, B or C, not ${JSON.stringify(out.protocol)}`);
  splitWords(out['disk-custom'], 'disk-custom');
  splitWords(out['net-custom'], 'net-custom');
  return out;
}

/**
 * drbdsetup attach options that disable barrier methods: `disk-barriers` is 'n' or a set of
 * b/f/d letters, `meta-barriers` true disables meta-data flushes (Ganeti's order of options).
 */
export function diskBarrierArgs(barriers: string, metaBarriers: boolean): string[] {
  const letters = new Set(barriers);
  if (!/^(n|[bfd]{1,3})$/.test(barriers) || letters.size !== barriers.length)
    throw bad('disk-barriers', `must be 'n' or distinct letters of b, f, d, not ${JSON.stringify(barriers)}`);
  const args: string[] = [];
  if (metaBarriers) args.push('--md-flushes=no');
  if (letters.has('f')) args.push('--disk-flushes=no');
  if (letters.has('d')) args.push('--disk-drain=no');
  if (letters.has('b')) args.push('--disk-barrier=no');
  return args;
}

/** Splits `text` into words as a POSIX shell would (quotes and backslashes), without expansion. */
export function splitWords(text: string, param: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && next !== '' && '"\\$`'.includes(next)) (word += next), i++;
      else word += c;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c !== '\\') word += c;
      else if (next === '') throw bad(param, 'ends with a lone backslash');
      else (word += next), i++;
    }
  }
  if (quote) throw bad(param, `has an unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}
