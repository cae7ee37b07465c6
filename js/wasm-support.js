// Why the .wasm failed to compile, in words a user can act on. The full module
// uses WebAssembly SIMD (see scripts/build.sh), which runtimes older than
// Chrome/Edge 91, Firefox 89, Safari 16.4 and Node 16.4 lack; their compile
// error ("invalid opcode 0xfd…") would not say so.

// The smallest module that uses a SIMD instruction: () -> v128, i32.const 0,
// i8x16.splat. It validates exactly where fixed-width SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // body: i32.const 0; i8x16.splat; end
]);

/** Whether this runtime compiles WebAssembly SIMD. */
export const hasWasmSimd = () => WebAssembly.validate(SIMD_PROBE);

/**
 * The error to throw for a failed compilation: an `EdgeSsoError` with code
 * `runtime.wasm_simd_missing` when the runtime lacks SIMD, otherwise `error`
 * unchanged.
 * @param {unknown} error what compiling or instantiating threw
 * @param {boolean} [simd] whether the runtime has SIMD (tests pass it)
 * @returns {unknown}
 * @example
 * try { initSync({ module: bytes }); } catch (e) { throw explainCompileFailure(e); }
 */
export function explainCompileFailure(error, simd = hasWasmSimd()) {
  if (simd || !(error instanceof WebAssembly.CompileError)) return error;
  const e = new Error('edge-sso needs WebAssembly SIMD (Chrome/Edge 91, Firefox 89, Safari 16.4, Node 16.4 or later), '
    + 'which this runtime lacks; for OAuth alone, edge-sso/oauth runs without it', { cause: error });
  e.name = 'EdgeSsoError';
  e.code = 'runtime.wasm_simd_missing';
  return e;
}
