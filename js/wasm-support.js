// The module's life before its first call: compiling the .wasm, and the
// errors a user can act on when that cannot happen. Every entry (index.js,
// index.cjs, workerd.js, edge-light.js) calls `start` once at import; the
// public API calls `ready` before it touches the instance, so an import
// never throws: where WebAssembly is missing or refused, the import succeeds
// and every call (and `init()`) fails with the same EdgeSsoError.

/**
 * The error every edge-sso failure is: a stable `code` (listed in the
 * README) and a message for people. `instanceof EdgeSsoError` holds for
 * errors from either entry (`edge-sso`, `edge-sso/oauth`), from the ESM or
 * the CommonJS build, and from another realm: it checks the error's name
 * and code, not its prototype, because each entry has its own instance.
 * @example
 * try { sp.validateResponse(value); } catch (e) { if (e instanceof EdgeSsoError) console.log(e.code); }
 */
export class EdgeSsoError extends Error {
  /**
   * @param {string} code a stable code, e.g. `saml.signature.invalid`
   * @param {string} message what happened, for people
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = /** @type {const} */ ('EdgeSsoError');
    this.code = code;
  }

  /**
   * @param {unknown} value
   * @returns {value is EdgeSsoError}
   */
  static [Symbol.hasInstance](value) {
    // A subclass (a caller's `class MyError extends EdgeSsoError`) keeps the
    // ordinary prototype check: the brand check is this class's alone.
    if (this !== EdgeSsoError) return Function.prototype[Symbol.hasInstance].call(this, value);
    const e = /** @type {any} */ (value);
    return Object.prototype.toString.call(e) === '[object Error]'
      && e.name === 'EdgeSsoError' && typeof e.code === 'string';
  }
}

// The boundary's one convention (src/wasm/answer.rs): arguments cross as
// strings (options as JSON text made by `encode`), answers come back as one
// string each, read by `answer`, which throws the module's errors as
// EdgeSsoErrors made by `edgeSsoError`. OAuth and SAML alike.

/** An EdgeSsoError from the module's `{ code, message, ... }` (the other members copied onto it). */
export function edgeSsoError({ code, message, ...fields }) {
  return Object.assign(new EdgeSsoError(code, message), fields);
}

/**
 * The value of an answer (JSON text), or its error (`!` and JSON) thrown as an EdgeSsoError.
 * @param {string} text what a method of the module answered
 * @returns {any}
 */
export function answer(text) {
  const first = text.charCodeAt(0);
  if (first === 33 /* ! */) throw edgeSsoError(JSON.parse(text.slice(1)));
  // A JSON string without a backslash holds its characters literally (the
  // module escapes every control character): a state, a nonce, a challenge,
  // an Authorization header. Slicing it is a third of the time of parsing it.
  if (first === 34 /* " */ && !text.includes('\\')) return text.slice(1, -1);
  return JSON.parse(text);
}

/** An `arg.invalid` EdgeSsoError for what only this layer can see. */
export const invalid = (field, reason) => edgeSsoError({ code: 'arg.invalid', message: `invalid \`${field}\`: ${reason}` });

/** Whether a string holds a lone surrogate (isWellFormed is ES2024; without it the module refuses the text). */
const illFormed = (s) => s.isWellFormed?.() === false;

/**
 * Whether `value` is a plain object: its prototype is `null` or an
 * `Object.prototype` (of any realm: an iframe's or a `vm` context's too).
 * A Map, a Date or a class instance is not: its entries are not its own
 * properties and would be read as none.
 */
function plain(value) {
  const proto = Object.getPrototypeOf(value);
  // Any other prototype lends members that are not own members, so they
  // would be silently left unread (a metadata signer certificate, say): a
  // bare `Object.create(null)` object or a class with a null parent is not
  // an Object.prototype.
  if (proto === null || proto === Object.prototype) return true;
  if (Object.getPrototypeOf(proto) !== null || Object.prototype.toString.call(value) !== '[object Object]') return false;
  // Another realm's: its own constructor is that realm's native Object.
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof ctor === 'function' && ctor.prototype === proto
    && /^function Object\(\) \{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(ctor));
}

/** What a value the module must not read is written as: a list holding a list, which every getter refuses. */
const NOT_READ = '[[]]';

/**
 * An options object as JSON text for src/options.rs, which documents the
 * encoding: own enumerable string keys only, each getter read once;
 * an `undefined` member left out (a value of `undefined` itself as `null`); `[[]]`, which every getter of the module refuses as the wrong type,
 * for every value it must not read as something else: one JSON cannot hold
 * (function, symbol, BigInt, NaN, ±Infinity), a number of magnitude 1e308
 * or more (the module's JSON reader refuses those), a list at the top or
 * inside a list, and an object nested deeper than an option's own object
 * (`extraParams`, `idp`, `nameIdPolicy`). What the module
 * could not name precisely is refused here: an object that is not plain, a
 * member that is not enumerable, a string or a name with a lone surrogate.
 */
export function encode(value, field = 'options', depth = 0, swap = undefined) {
  if (value === undefined || value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (illFormed(value)) throw invalid(field, 'holds a lone surrogate (not well-formed UTF-16)');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) && Math.abs(value) < 1e308 ? JSON.stringify(value) : NOT_READ;
    case 'object': {
      // A list (of strings, for SAML's certificates, session indexes, class
      // references) is written as one up to an option's own object's
      // members; its items are read as scalars (a nested list or object in
      // it is NOT_READ).
      if (Array.isArray(value)) {
        if (depth === 0 || depth > 2) return NOT_READ;
        const items = [];
        for (let i = 0; i < value.length; i += 1) items.push(encode(value[i], field, 3));
        return `[${items.join(',')}]`;
      }
      if (depth > 1) return NOT_READ;
      if (!plain(value)) {
        throw invalid(field, 'must be a plain object (a Map, a Date or a class instance is not read as options)');
      }
      const keys = Object.keys(value);
      const badName = keys.find(illFormed);
      if (badName !== undefined) throw invalid(field, 'a member name holds a lone surrogate (not well-formed UTF-16)');
      // A member made with Object.defineProperty is not enumerable and would
      // be skipped without a word; a skipped option could be a check.
      const enumerable = new Set(keys);
      const hidden = Object.getOwnPropertyNames(value).find((k) => !enumerable.has(k));
      if (hidden !== undefined) {
        throw invalid(field, `its member \`${hidden.slice(0, 64)}\` is not enumerable, so it would not be read`);
      }
      // A top-level member is named by its key; one inside `extraParams` by
      // `extraParams`, as the module names it.
      // An `undefined` member is left out, as JSON.stringify does: a
      // required option that is misspelled or unset arrives missing, and the
      // module refuses it (a carried `nonce`), where `null` would be read as
      // "none". Each getter is still read once.
      const members = [];
      for (const k of keys) {
        // `swap` turns a top-level member only this layer can read (a
        // CryptoKeyPair, a request object) into what the module reads.
        const v = depth === 0 && swap !== undefined && Object.hasOwn(swap, k) ? swap[k](value[k]) : value[k];
        if (v !== undefined) members.push(`${JSON.stringify(k)}:${encode(v, depth === 0 ? k : field, depth + 1)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      return NOT_READ;
  }
}

/** An options argument: `undefined` when there are none (nothing to pass or parse). */
export const opts = (value, field) => (value === undefined || value === null ? undefined : encode(value, field));

/** A string argument, or `undefined` (which the module refuses by name). */
export const str = (v) => (typeof v === 'string' ? v : undefined);

/**
 * An options argument with `extra` members added where the caller gave none
 * of that name (a Response's status, say), and `swap`ped members.
 */
export function optsWith(options, extra, swap) {
  const base = options === undefined || options === null ? '{}' : encode(options, 'options', 0, swap);
  const add = Object.entries(extra)
    .filter(([k, v]) => v !== undefined && !(options != null && Object.hasOwn(options, k)))
    .map(([k, v]) => `${JSON.stringify(k)}:${encode(v, k, 1)}`);
  // Options that are not an object (the `[[]]` of a value not to be read) are left for the module to refuse.
  if (add.length === 0 || base[0] !== '{') return base;
  return base === '{}' ? `{${add.join(',')}}` : `${base.slice(0, -1)},${add.join(',')}}`;
}


// The smallest module that uses a SIMD instruction: () -> v128, i32.const 0,
// i8x16.splat. It validates exactly where fixed-width SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // body: i32.const 0; i8x16.splat; end
]);

/** Whether this runtime has WebAssembly at all (a browser's hardened mode or an embedder may remove it). */
const hasWasm = () => typeof WebAssembly === 'object' && WebAssembly !== null
  && typeof WebAssembly.Instance === 'function';

/** Whether this runtime compiles WebAssembly SIMD. */
export const hasWasmSimd = () => hasWasm() && WebAssembly.validate(SIMD_PROBE);

// The texts that Chromium, Firefox, WebKit and workerd put in the error when
// a policy, not the bytes, stopped the compilation.
const REFUSED = /unsafe-eval|Content[- ]Security[- ]Policy|\bCSP\b|disallowed by embedder|code generation/i;

/**
 * The EdgeSsoError for a failed compilation, or `error` unchanged when the
 * cause is not one a user can act on: no SIMD (`runtime.wasm_simd_missing`),
 * or a policy that refuses to compile WebAssembly (`runtime.wasm_refused`).
 * @param {unknown} error what compiling or instantiating threw
 * @param {boolean} [simd] whether the runtime has SIMD (tests pass it)
 * @returns {unknown}
 * @example
 * try { initSync({ module: bytes }); } catch (e) { throw explainCompileFailure(e); }
 */
export function explainCompileFailure(error, simd = hasWasmSimd()) {
  const text = String(/** @type {any} */ (error)?.message ?? error);
  if (REFUSED.test(text)) {
    return new EdgeSsoError('runtime.wasm_refused', 'this runtime refused to compile edge-sso\'s WebAssembly: in a page, '
      + 'allow it with `script-src \'wasm-unsafe-eval\'` in the Content-Security-Policy; in a worker runtime that only '
      + 'runs imported modules, use its entry (the `workerd` and `edge-light` export conditions import the .wasm)', { cause: error });
  }
  if (simd || !(error instanceof WebAssembly.CompileError)) return error;
  return new EdgeSsoError('runtime.wasm_simd_missing', 'edge-sso needs WebAssembly SIMD (Chrome/Edge 91, Firefox 89, '
    + 'Safari 16.4, Node 16.4 or later), which this runtime lacks; for OAuth alone, edge-sso/oauth runs without it', { cause: error });
}

let readyNow = false;
let failure; // the EdgeSsoError every call throws, once the module cannot run
let compiling; // a Promise while the module compiles asynchronously

/**
 * Compiles and instantiates the module, once, at import: synchronously with
 * `sync`, which every runtime allows for a module of this size but Chromium
 * before 114 on a page's main thread (a RangeError past 4 KB); there the
 * module is compiled with `later` instead, and `init()` says when it is done.
 * @param {() => void} sync
 * @param {() => Promise<unknown>} [later]
 * @example
 * start(() => initSync({ module }), () => initAsync({ module_or_path: bytes }));
 */
export function start(sync, later) {
  if (!hasWasm()) {
    failure = new EdgeSsoError('runtime.wasm_unavailable', 'this runtime has no WebAssembly (a browser\'s hardened mode or a policy may turn it off, '
      + 'or the embedder never had it); edge-sso cannot run without it');
    return;
  }
  try {
    sync();
    readyNow = true;
  } catch (e) {
    if (!(e instanceof RangeError) || later === undefined) {
      failure = explainCompileFailure(e);
      return;
    }
    compiling = later().then(() => {
      readyNow = true;
    }, (e2) => {
      failure = explainCompileFailure(e2);
      throw failure;
    });
    compiling.catch(() => {}); // reported by init() and by each call, not as an unhandled rejection
  }
}

/**
 * Resolves once the module can be called. Every runtime but Chromium before
 * 114 on a page's main thread is ready at import, so awaiting it is only
 * needed there; it is harmless everywhere. Rejects with the EdgeSsoError
 * that every call would throw when the module cannot run here.
 * @returns {Promise<void>}
 * @example
 * import { init, createPkce } from 'edge-sso';
 * await init();
 * createPkce();
 */
export function init() {
  if (readyNow) return Promise.resolve();
  if (failure !== undefined) return Promise.reject(failure);
  return compiling.then(() => undefined);
}

/**
 * Throws unless the module can be called: the EdgeSsoError of why it cannot,
 * or `runtime.not_ready` while it is still compiling.
 * @example
 * ready(); // then call into the instance
 */
export function ready() {
  if (readyNow) return;
  if (failure !== undefined) throw failure;
  throw new EdgeSsoError('runtime.not_ready', 'edge-sso is still compiling its WebAssembly (this runtime does not '
    + 'compile it synchronously): `await init()` before the first call');
}

/**
 * The bytes of a hex string (the module inlined by scripts/build.sh, which
 * says why hex and not base64).
 * @param {string} text lower-case hex, two digits a byte
 * @returns {Uint8Array}
 * @example
 * const bytes = fromHex('0061736d'); // "\0asm"
 */
export function fromHex(text) {
  // Native decoders first: ES2026's Uint8Array.fromHex, then Node's and Bun's Buffer.
  if (typeof Uint8Array.fromHex === 'function') return Uint8Array.fromHex(text);
  const { Buffer } = /** @type {any} */ (globalThis); // Node's and Bun's, where there is one
  if (typeof Buffer === 'function' && typeof Buffer.from === 'function') {
    const b = Buffer.from(text, 'hex');
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  // A digit's value from its code: '0'-'9' are 0x30-0x39 (low nibble), 'a'-'f'
  // 0x61-0x66 (low nibble + 9, bit 6 set). The text is the build's own output.
  const digit = (/** @type {number} */ c) => (c & 15) + (c >> 6) * 9;
  const bytes = new Uint8Array(text.length >> 1);
  for (let i = 0; i < bytes.length; i += 1) {
    bytes[i] = (digit(text.charCodeAt(2 * i)) << 4) | digit(text.charCodeAt(2 * i + 1));
  }
  return bytes;
}

/**
 * The bytes of a base64 string (the module inlined by scripts/build.sh).
 * @param {string} text
 * @returns {Uint8Array}
 * @example
 * const bytes = fromBase64('AGFzbQ=='); // "\0asm"
 */
export function fromBase64(text) {
  // Native decoders first (a third of the start-up in Node otherwise goes
  // to the loop below): ES2026's Uint8Array.fromBase64, then Node's and Bun's Buffer.
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const { Buffer } = /** @type {any} */ (globalThis); // Node's and Bun's, where there is one
  if (typeof Buffer === 'function' && typeof Buffer.from === 'function') {
    const b = Buffer.from(text, 'base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
