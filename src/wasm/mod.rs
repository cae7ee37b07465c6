//! The `#[wasm_bindgen]` facade: the only module that names JS types. It
//! converts values and errors and calls the core; it decides nothing.
//!
//! The boundary's convention (`answer.rs`), for OAuth and SAML alike: each
//! method is exported under the JS name of the public method or function it
//! serves (`RawOAuthClient`'s `authorize` serves `OAuthClient.authorize`,
//! `RawSamlServiceProvider`'s `validateResponse` serves
//! `SamlServiceProvider.validateResponse`); its string arguments cross as
//! strings, an options object as JSON text read by [`crate::options`] (a
//! long SAML string, a posted message or an XML document, as the JS string
//! itself, read in one copy by `text_in.rs`); it answers one string, JSON
//! written by [`crate::json_out`] or `!` and the error, which `answer` in
//! `js/wasm-support.js` returns or throws as an `EdgeSsoError`. Nothing here
//! builds a JS object, an error or a promise. tests/js/types.test.mjs runs
//! tsc over the JS layer against the declarations wasm-bindgen generates
//! from these exports, and over the public declarations against the JS
//! layer.
//!
//! Adding a method therefore touches three places besides the core: its
//! export here (`oauth.rs` or `saml.rs`), its wrapper in `js/oauth-api.js`
//! or `js/saml-api.js`, and its declaration in `js/oauth.d.ts` or
//! `js/saml.d.ts`; tsc fails when they disagree on a method's name, its
//! number parameters or its answer. OAuth's string arguments, staged by
//! `args` just before the call, are not typed per method (each export's
//! body names what it reads); SAML's methods take theirs as parameters
//! (options as `string | null`, a long string as `unknown`, read by
//! `text_in.rs`). (OAuth's operation table touched five places besides the
//! core, with nothing to check that they agreed; SAML's wasm-bindgen
//! conversions touched two, the export and its TypeScript in `saml.rs`'s
//! custom section, also unchecked, beside a reader and a writer of JS
//! objects of its own, `interop.rs`.)

mod answer;
mod host;
mod oauth;
#[cfg(feature = "saml")]
mod saml;
#[cfg(feature = "saml")]
mod text_in;

// The OAuth-only module allocates little (URLs, a token response, a few
// strings, a client's pending flows), so it trades dlmalloc (std's default)
// for lol_alloc's free-list allocator: first fit over an address-ordered
// list that merges neighbours, a few hundred bytes of code (talc, used
// before, was larger: BENCHMARKS.md). The full module keeps dlmalloc: SAML
// validation allocates a great deal and its speed is measured against it.
#[cfg(not(feature = "saml"))]
#[global_allocator]
// The crate's only `unsafe`, allowed on these two items alone: a global
// allocator is an `unsafe` trait (`#[wasm_bindgen]`'s expansions need none).
#[allow(unsafe_code)]
// SAFETY: `AssumeSingleThreaded` is sound only without threads. This module
// is built for wasm32-unknown-unknown without the `atomics` feature, so it
// has no shared memory and every call into it runs on the one thread of the
// JS realm that instantiated it.
static ALLOCATOR: WipeOnFree<lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator>> =
    WipeOnFree(unsafe {
        lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new())
    });

// The SAFETY argument above holds only without threads.
#[cfg(all(not(feature = "saml"), target_feature = "atomics"))]
compile_error!(
    "the OAuth-only module's allocator assumes a single thread: build it without `atomics`"
);

/// Wipes every block as it is freed, so no copy of a token, code or verifier
/// outlives its owner in freed memory: not the one a growing buffer leaves
/// behind on reallocation (GlobalAlloc's default `realloc` is alloc, copy,
/// dealloc), nor wasm-bindgen's argument buffers, nor a plain `String` copy.
#[cfg(not(feature = "saml"))]
struct WipeOnFree<A>(A);

#[cfg(not(feature = "saml"))]
#[allow(unsafe_code)]
// SAFETY: forwards to `A`; `dealloc` only writes to the block it is handed,
// which the caller owns until the call returns.
unsafe impl<A: core::alloc::GlobalAlloc> core::alloc::GlobalAlloc for WipeOnFree<A> {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: core::alloc::Layout) {
        // Volatile writes (zeroize): a plain memset before a free is a dead
        // store the optimizer may drop.
        // As `MaybeUninit<u8>`: a block may hold bytes never written (a
        // Vec's spare capacity), which a `&mut [u8]` must not cover.
        zeroize::Zeroize::zeroize(unsafe {
            core::slice::from_raw_parts_mut(ptr.cast::<core::mem::MaybeUninit<u8>>(), layout.size())
        });
        unsafe { self.0.dealloc(ptr, layout) }
    }
}

/// The OAuth-only module is `no_std` (see the crate root), so it names its
/// own panic handler. Nothing in it panics on input (every input error is a
/// returned `Error`; the lints deny `unwrap`, `expect`, `panic` and
/// indexing); should an invariant still fail, the instance traps exactly as
/// std's `panic = "abort"` did, but without formatting a message nobody
/// reads.
#[cfg(not(feature = "saml"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
