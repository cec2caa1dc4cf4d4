// Append-only typed arrays for builds that do not know their size up front (index postings, id tables).

/** Doubling, then growing by half once large, so a 21M-passage build does not overshoot by gigabytes. */
function grownCapacity(current: number, needed: number): number {
  const grown = current < 1 << 26 ? current * 2 : Math.ceil(current * 1.5);
  return Math.max(needed, grown, 1);
}

/** An append-only Uint32Array; `data` is the backing store (its first `length` entries are filled). */
export class GrowableUint32Array {
  data: Uint32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = value;
  }

  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const next = new Uint32Array(grownCapacity(this.data.length, capacity));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** The filled part (a view, not a copy: later pushes may or may not show through it). */
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }

  /** The filled part as an exact-size array (a copy, so the spare capacity can be freed). */
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

/** An append-only BigUint64Array; `data` is the backing store (its first `length` entries are filled). */
export class GrowableBigUint64Array {
  data: BigUint64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new BigUint64Array(capacity);
  }

  push(value: bigint): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = value;
  }

  reserve(capacity: number): void {
    if (capacity <= this.data.length) return;
    const next = new BigUint64Array(grownCapacity(this.data.length, capacity));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** The filled part (a view, not a copy: later pushes may or may not show through it). */
  view(): BigUint64Array {
    return this.data.subarray(0, this.length);
  }

  /** The filled part as an exact-size array (a copy, so the spare capacity can be freed). */
  toArray(): BigUint64Array {
    return this.data.slice(0, this.length);
  }
}
