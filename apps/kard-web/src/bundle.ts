// Reading a web bundle (kard-train export-web) over HTTP: every file checked against manifest.json's size and
// sha256, with progress, and passages read by byte range from the store's chunks, each chunk fetched once.
import type { WebBundleManifest } from './manifest';

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class BundleError extends Error {
  constructor(url: string, reason: string) {
    super(`${url}: ${reason}`);
    this.name = 'BundleError';
  }
}

export class Bundle {
  private constructor(
    readonly base: string,
    readonly manifest: WebBundleManifest,
  ) {}

  static async open(base: string): Promise<Bundle> {
    const url = new URL('manifest.json', base).href;
    const res = await fetch(url, { cache: 'no-cache' }).catch((err: Error) => {
      throw new BundleError(url, `cannot fetch (${err.message})`);
    });
    if (!res.ok) throw new BundleError(url, `HTTP ${res.status} (export a bundle: kard-train export-web)`);
    const m = (await res.json()) as WebBundleManifest;
    if (m.format !== 'kard-web-bundle' || m.version !== 1)
      throw new BundleError(url, `not a version 1 kard-web-bundle (format ${JSON.stringify(m.format)})`);
    return new Bundle(base, m);
  }

  url(rel: string): string {
    return new URL(rel, this.base).href;
  }

  /**
   * A file's bytes, checked against the manifest. The URL carries the file's sha256, so a cache (the service
   * worker's) can keep it forever: a re-exported bundle's changed file is a new URL.
   */
  async bytes(rel: string, onBytes?: (n: number) => void): Promise<Uint8Array> {
    const spec = this.manifest.files[rel];
    const url = this.url(rel);
    if (!spec) throw new BundleError(url, 'not listed in manifest.json');
    const res = await fetch(`${url}?sha256=${spec.sha256.slice(0, 16)}`);
    if (!res.ok || !res.body) throw new BundleError(url, `HTTP ${res.status}`);
    const out = new Uint8Array(spec.bytes);
    let at = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > out.length) throw new BundleError(url, `longer than the manifest's ${spec.bytes} bytes`);
      out.set(value, at);
      at += value.length;
      onBytes?.(value.length);
    }
    if (at !== spec.bytes) throw new BundleError(url, `${at} bytes, the manifest says ${spec.bytes}`);
    const sha = await sha256Hex(out);
    if (sha !== spec.sha256) throw new BundleError(url, `sha256 ${sha}, the manifest says ${spec.sha256}`);
    return out;
  }

  async json<T>(rel: string, onBytes?: (n: number) => void): Promise<T> {
    return JSON.parse(new TextDecoder().decode(await this.bytes(rel, onBytes))) as T;
  }
}

export interface StoredPassage {
  id: string;
  title?: string;
  text: string;
}

/** The passage store's records by row: offsets.u64 gives each record's byte range in the chunked data file. */
export class PassageChunks {
  private readonly chunks = new Map<number, Promise<Uint8Array>>();
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly bundle: Bundle,
    private readonly offsets: Float64Array,
  ) {}

  static async open(bundle: Bundle, onBytes?: (n: number) => void): Promise<PassageChunks> {
    const raw = await bundle.bytes(bundle.manifest.passages.offsets, onBytes);
    const big = new BigUint64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
    return new PassageChunks(
      bundle,
      Float64Array.from(big, (v) => Number(v)),
    );
  }

  get size(): number {
    return this.offsets.length - 1;
  }

  private chunk(c: number): Promise<Uint8Array> {
    let p = this.chunks.get(c);
    if (!p) {
      p = this.bundle.bytes(this.bundle.manifest.passages.chunks[c]);
      this.chunks.set(c, p);
      p.catch(() => this.chunks.delete(c));
    }
    return p;
  }

  /** Fetches every chunk (so the service worker holds them all: questions work offline). */
  async prefetchAll(): Promise<number> {
    const n = this.bundle.manifest.passages.chunks.length;
    for (let c = 0; c < n; c++) await this.chunk(c);
    return n;
  }

  async get(row: number): Promise<StoredPassage> {
    if (!(row >= 0 && row < this.size)) throw new RangeError(`passage row ${row} outside 0..${this.size - 1}`);
    const size = this.bundle.manifest.passages.chunkBytes;
    const start = this.offsets[row];
    const end = this.offsets[row + 1];
    const first = Math.floor(start / size);
    const last = Math.floor((end - 1) / size);
    const bytes = new Uint8Array(end - start);
    for (let c = first; c <= last; c++) {
      const chunk = await this.chunk(c);
      const from = Math.max(start, c * size);
      const to = Math.min(end, (c + 1) * size);
      bytes.set(chunk.subarray(from - c * size, to - c * size), from - start);
    }
    return JSON.parse(this.decoder.decode(bytes)) as StoredPassage;
  }
}
