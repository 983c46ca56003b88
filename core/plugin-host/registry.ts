import { GanetiError } from '../errors/index.js';
import type { ProviderBase, ProviderKind } from '../contracts/plugin.js';
import type { Params } from '../contracts/params.js';
import { attributedProvider } from './attribution.js';
import { paramNames, paramsSchemaProblem, paramsValidator, type ParamsValidator } from './params.js';

const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

export interface RegisteredProvider<P extends ProviderBase> {
  readonly kind: ProviderKind;
  readonly name: string;
  /** The plugin that registered it. */
  readonly plugin: string;
  /** The provider with every method attributed to its plugin. */
  readonly provider: P;
  readonly paramNames: readonly string[];
  readonly description: string | undefined;
}

/**
 * A keyed registry of one provider kind. Registration is checked (name, parameter schema,
 * required methods, duplicates); lookups of unknown names fail with GNT_PROVIDER_UNKNOWN.
 */
export class ProviderRegistry<P extends ProviderBase> {
  readonly #entries = new Map<string, RegisteredProvider<P>>();
  readonly #validators = new Map<string, ParamsValidator>();

  constructor(
    readonly kind: ProviderKind,
    private readonly requiredMethods: readonly string[],
  ) {}

  /** Throws GNT_PROVIDER_INVALID or GNT_PROVIDER_DUPLICATE; `pending` are names staged by the same plugin. */
  check(name: string, provider: P, plugin: string, pending: ReadonlySet<string> = new Set()): void {
    const invalid = (reason: string) => new GanetiError('GNT_PROVIDER_INVALID', { kind: this.kind, name: String(name), plugin, reason }, { plugin });
    if (typeof name !== 'string' || !NAME_RE.test(name)) throw invalid('the name must match [a-z0-9][a-z0-9._-]*');
    if (!provider || typeof provider !== 'object') throw invalid('the provider must be an object');
    const problem = paramsSchemaProblem(provider.params);
    if (problem) throw invalid(problem);
    const missing = this.requiredMethods.filter((m) => typeof (provider as unknown as Record<string, unknown>)[m] !== 'function');
    if (missing.length) throw invalid(`missing method${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const owner = this.#entries.get(name)?.plugin ?? (pending.has(name) ? plugin : undefined);
    if (owner !== undefined) throw new GanetiError('GNT_PROVIDER_DUPLICATE', { kind: this.kind, name, plugin, owner }, { plugin });
  }

  add(name: string, provider: P, plugin: string): RegisteredProvider<P> {
    this.check(name, provider, plugin);
    const entry: RegisteredProvider<P> = Object.freeze({
      kind: this.kind,
      name,
      plugin,
      provider: attributedProvider(provider, plugin, `${this.kind} ${name}`),
      paramNames: Object.freeze(paramNames(provider.params)),
      description: provider.description,
    });
    this.#entries.set(name, entry);
    return entry;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  entries(): RegisteredProvider<P>[] {
    return this.names().map((n) => this.#entries.get(n)!);
  }

  entry(name: string): RegisteredProvider<P> {
    const e = this.#entries.get(name);
    if (!e) throw new GanetiError('GNT_PROVIDER_UNKNOWN', { kind: this.kind, name, known: this.names().join(', ') });
    return e;
  }

  get(name: string): P {
    return this.entry(name).provider;
  }

  /** Checks and coerces parameters for provider `name`; `partial` skips required ones. */
  validateParams(name: string, params: Params, options?: { partial?: boolean }): Params {
    let v = this.#validators.get(name);
    if (!v) {
      v = paramsValidator(`${this.kind} '${name}'`, this.entry(name).provider.params);
      this.#validators.set(name, v);
    }
    return v(params, options);
  }
}
