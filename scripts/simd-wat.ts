/** The WAT -> wasm step of scripts/build-simd.ts (wabt, a dev dependency), shared with its test. */
import wabtInit from 'wabt';

export async function compileSimdWat(source: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('simd.wat', source, { simd: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    return parsed.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    parsed.destroy();
  }
}
