/**
 * The shared owners of one lock. Most shared locks have a single owner at a time, and a
 * JavaScript Set that keeps going from empty to one element and back rehashes and allocates
 * every time; so the first owner sits in a plain field and only further owners use a Set.
 */
import type { Owner } from './request.js';

const EMPTY: unique symbol = Symbol('empty');

export class OwnerSet {
  private first: Owner | typeof EMPTY = EMPTY;
  private more: Set<Owner> | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(owner: Owner): boolean {
    if (this.count === 0) return false;
    return this.first === owner || (this.more !== null && this.more.has(owner));
  }

  /** Adds an owner that is not in the set yet. */
  add(owner: Owner): void {
    if (this.first === EMPTY) this.first = owner;
    else (this.more ??= new Set()).add(owner);
    this.count++;
  }

  delete(owner: Owner): boolean {
    if (this.count === 0) return false;
    if (this.first === owner) this.first = EMPTY;
    else if (this.more === null || !this.more.delete(owner)) return false;
    this.count--;
    return true;
  }

  clear(): void {
    this.first = EMPTY;
    this.more?.clear();
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<Owner> {
    if (this.first !== EMPTY) yield this.first;
    if (this.more !== null) yield* this.more;
  }
}
