/** An append-only Uint32Array that grows by doubling (then by half once large), for index construction. */
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
    const grown = this.data.length < 1 << 26 ? this.data.length * 2 : Math.ceil(this.data.length * 1.5);
    const next = new Uint32Array(Math.max(capacity, grown));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** The filled part as an exact-size array (a copy, so the spare capacity can be freed). */
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}
