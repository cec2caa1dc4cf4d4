import type { Passage } from './passage';

/**
 * Read access to a knowledge base: passages by id, and all of them in input order. `PassageStore` implements it
 * on disk; code that only reads passages takes a `PassageLookup`, so it never needs the corpus in memory.
 */
export interface PassageLookup extends Iterable<Passage> {
  /** Number of passages. */
  readonly size: number;
  /** The passage with this id, or undefined. */
  get(id: string): Passage | undefined;
  has(id: string): boolean;
}
