{
  "targets": [
    {
      "target_name": "kard_nn",
      "sources": ["src/addon.c", "src/kernels.c"],
      "cflags!": ["-O2"],
      "cflags": ["-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math", "-std=c11"],
      "libraries": ["-lopenblas"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
