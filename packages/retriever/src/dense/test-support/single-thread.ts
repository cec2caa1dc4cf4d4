// Import first in tests that use faiss: libgomp reads OMP_NUM_THREADS once, when faiss-node loads. On a
// shared, oversubscribed test machine OpenMP's spinning threads make HNSW builds 3-5x slower, not faster.
process.env.OMP_NUM_THREADS ??= '1';
process.env.OPENBLAS_NUM_THREADS ??= '1';
