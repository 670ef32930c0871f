/**
 * GELU's float32 constants, shared by the cpu/wasm kernel (activations/gelu-kernels.ts; simd.wat has
 * them as literals) and the WGSL one (webgpu-gelu.ts), so that both compute Phi(x) by the same operations.
 * Phi(x) = erfc(|x|/sqrt 2)/2 by Abramowitz and Stegun 7.1.26, exp by a Taylor polynomial after
 * a Cody-Waite reduction.
 */
const f = Math.fround;

export const SQRT1_2 = f(Math.SQRT1_2);
export const P = f(0.3275911);
/** A&S 7.1.26's a1..a5, halved (exactly) so the polynomial gives erfc/2. */
export const [A1, A2, A3, A4, A5] = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429].map((a) =>
  f(f(a) / 2),
);
export const LOG2E = f(Math.LOG2E);
export const LN2HI = 0.693359375; // 9 significant bits: k * LN2HI is exact
export const LN2LO = f(Math.LN2 - LN2HI);
export const INV_SQRT_2PI = f(1 / Math.sqrt(2 * Math.PI));
/** 1/7!, 1/6!, ..., 1/1!, 1/0!: exp's Taylor polynomial, highest power first. */
export const EXP_TAYLOR = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1].map(f);
