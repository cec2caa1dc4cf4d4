/**
 * faiss-node exposes no setter for HNSW's efConstruction/efSearch, but faiss serialises both as plain int32
 * fields of the index. These helpers find them in a serialised IndexHNSWFlat (faiss's own write_index
 * layout, unchanged from 1.7.x on) so a round trip through `toBuffer`/`fromBuffer` sets them, with any
 * faiss-node build, patched or prebuilt.
 *
 * Layout (faiss/impl/index_write.cpp): fourcc "IHNf", the index header (d:i32, ntotal:i64, 2 x i64 dummy,
 * is_trained:u8, metric:i32, metric_arg:f32 when metric > 1), then HNSW: five length-prefixed vectors
 * (assign_probas f64, cum_nneighbor_per_level i32, levels i32, offsets u64, neighbors i32) followed by
 * entry_point, max_level, efConstruction, efSearch, upper_beam (all i32); then the storage index.
 */

export interface HnswSearchParams {
  efConstruction: number;
  efSearch: number;
}

const HNSW_FLAT_FOURCC = 'IHNf';

/** Byte offset of efConstruction (efSearch follows 4 bytes later) in a serialised IndexHNSWFlat. */
function efConstructionOffset(buf: Buffer): number {
  const fourcc = buf.toString('latin1', 0, 4);
  if (fourcc !== HNSW_FLAT_FOURCC) {
    throw new Error(`not a serialised faiss IndexHNSWFlat (fourcc ${JSON.stringify(fourcc)})`);
  }
  let at = 4;
  at += 4 + 8 + 8 + 8 + 1; // d, ntotal, two dummies, is_trained
  const metric = buf.readInt32LE(at);
  at += 4;
  if (metric > 1) at += 4;
  for (const elementBytes of [8, 4, 4, 8, 4]) {
    const n = Number(buf.readBigUInt64LE(at));
    at += 8 + n * elementBytes;
    if (at > buf.length) throw new Error('truncated faiss IndexHNSWFlat buffer');
  }
  at += 4 + 4; // entry_point, max_level
  if (at + 8 > buf.length) throw new Error('truncated faiss IndexHNSWFlat buffer');
  return at;
}

export function readHnswParams(buf: Buffer): HnswSearchParams {
  const at = efConstructionOffset(buf);
  return { efConstruction: buf.readInt32LE(at), efSearch: buf.readInt32LE(at + 4) };
}

/** Overwrites the given fields in place. */
export function writeHnswParams(buf: Buffer, params: Partial<HnswSearchParams>): void {
  const at = efConstructionOffset(buf);
  if (params.efConstruction !== undefined) buf.writeInt32LE(params.efConstruction, at);
  if (params.efSearch !== undefined) buf.writeInt32LE(params.efSearch, at + 4);
}
