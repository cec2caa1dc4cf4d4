// Operation codes shared with native/src/kernels.h.
export const BinaryOp = {
  Add: 0,
  Sub: 1,
  Mul: 2,
  Div: 3,
  Max: 4,
  Min: 5,
  SquaredDifference: 6,
  Pow: 7,
  ReluGrad: 8,
} as const;
export const UnaryOp = {
  Exp: 0,
  Log: 1,
  Neg: 2,
  Relu: 3,
  Tanh: 4,
  Sigmoid: 5,
  Sqrt: 6,
  Rsqrt: 7,
  Square: 8,
  Abs: 9,
  Reciprocal: 10,
  Scale: 11,
  Step: 12,
} as const;
export const ReduceOp = { Sum: 0, Mean: 1, Max: 2, Min: 3 } as const;
