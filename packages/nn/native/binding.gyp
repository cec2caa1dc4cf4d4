{
  "targets": [
    {
      "target_name": "kard_nn",
      "sources": ["src/addon.c", "src/kernels.c", "src/fused.c", "src/parallel.c"],
      "cflags!": ["-O2"],
      "cflags": ["-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math", "-std=gnu11", "-pthread"],
      "libraries": ["-lopenblas", "-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
