// The public SAML API: a thin class and functions over the module's
// `RawSamlServiceProvider` and binding functions, whose names are the ones
// they serve (src/wasm/saml.rs). Options become JSON text and answers values,
// or thrown EdgeSsoErrors, by wasm-support.js's `encode` and `answer`
// (src/wasm/answer.rs says why); a long string (a posted message, a URL, an
// XML document) is handed over as it is, for the module to read in one copy.
// Every rule is in the module but what only JavaScript can do: check that an
// options object is plain and has no hidden members, and wait for a replay
// store (validateResponseWithStore).
import {
  RawSamlServiceProvider, parseIdpMetadata as rawParseIdpMetadata, encodeRedirect as rawEncodeRedirect,
  decodeRedirect as rawDecodeRedirect, decodePost as rawDecodePost,
} from './edge_sso.js';
import { answer, encode, invalid, ready } from './wasm-support.js';

/** @type {WeakMap<object, RawSamlServiceProvider>} */
const raws = new WeakMap(); // SamlServiceProvider -> RawSamlServiceProvider
// A handle with store calls in flight: how many. free() during one only
// detaches the SP (no new call), and the handle is freed once the last
// call is finished: a login the store has recorded is then still accepted,
// not lost to a free() (a `using sp` block returning the promise, say).
/** @type {WeakMap<RawSamlServiceProvider, number>} */
const inFlight = new WeakMap();
/** @type {WeakSet<RawSamlServiceProvider>} */
const freeWhenDone = new WeakSet();

/** One store call of `r` is finished: free it if free() came meanwhile. */
function settled(r) {
  const left = (inFlight.get(r) ?? 1) - 1;
  if (left > 0) {
    inFlight.set(r, left);
    return;
  }
  inFlight.delete(r);
  if (freeWhenDone.has(r)) {
    freeWhenDone.delete(r);
    try {
      r.free();
    } catch {
      // The call's own outcome stands: a handle that cannot be freed (an
      // instance that trapped) is not this call's error.
    }
  }
}

/**
 * The module's handle of `sp`, or the error of a freed one.
 * @param {object} sp
 * @returns {RawSamlServiceProvider}
 */
function raw(sp) {
  const r = raws.get(sp);
  if (r === undefined) throw invalid('sp', 'it was freed');
  return r;
}

const PLAIN = 'must be a plain object (a Map, a Date or a class instance is not read as options)';

/**
 * An options argument as JSON text (`undefined` when there are none). A
 * member that must not be left out by accident (metadata signer
 * certificates) is written as `null` when it is there but `undefined`, so
 * that the module refuses it rather than reading metadata unsigned.
 */
function options(value, what, present) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(what, PLAIN);
  const swap = present === undefined ? undefined : { [present]: (v) => (v === undefined ? null : v) };
  return encode(value, what, 0, swap);
}

/** The store's `remember` method, or the error that it has none. */
function rememberOf(store) {
  let remember;
  try {
    remember = store !== null && (typeof store === 'object' || typeof store === 'function') ? store.remember : undefined;
  } catch {
    remember = undefined; // a throwing getter is no method
  }
  if (typeof remember !== 'function') throw invalid('store', 'needs a remember(assertionId, expiresAt) method');
  return remember;
}

// finishResponse's outcomes (src/wasm/saml.rs).
const ALREADY_SEEN = 0;
const FIRST_USE = 1;
const STORE_FAILED = 2;
const STORE_TIMEOUT = 3;

/** A SAML 2.0 service provider. */
export class SamlServiceProvider {
  /** Checks the configuration (https endpoints, required IDs) and creates the SP. */
  constructor(config) {
    const text = options(config, 'config', 'metadataSignerCertificates');
    ready();
    const r = new RawSamlServiceProvider();
    try {
      answer(r.configure(text));
    } catch (e) {
      r.free();
      throw e;
    }
    raws.set(this, r);
  }

  /**
   * Builds an AuthnRequest for the redirect (default) or POST binding and
   * remembers its ID (one-time, expiring) for the response.
   */
  authnRequest(init) {
    return answer(raw(this).authnRequest(options(init, 'init')));
  }

  /**
   * Verifies an HTTP-Redirect message from the IdP (LogoutRequest,
   * LogoutResponse or Response): the signature over the query exactly as
   * received, with the configured certificates only; then Version, Issuer,
   * Destination and IssueInstant.
   */
  verifyRedirect(url, opts) {
    return answer(raw(this).verifyRedirect(url, options(opts, 'options')));
  }

  /** A LogoutRequest for the IdP's redirect SLO endpoint (its ID remembered one-time for the LogoutResponse). */
  logoutRequest(init) {
    return answer(raw(this).logoutRequest(options(init, 'init')));
  }

  /**
   * Reads a LogoutResponse posted by the IdP (HTTP-POST binding): its XML
   * signature with the configured certificates (unsigned only with
   * `allowUnsigned: true`), Issuer, Destination, IssueInstant, InResponseTo
   * (one-time) and Success.
   */
  readLogoutResponse(samlResponse, opts) {
    return answer(raw(this).readLogoutResponse(samlResponse, options(opts, 'options')));
  }

  /**
   * Reads a LogoutRequest the IdP posted (HTTP-POST binding, a logout the
   * IdP started): its XML signature, Issuer, Destination (this SP's
   * `sloUrl`), IssueInstant, NotOnOrAfter, and once only.
   */
  readLogoutRequest(samlRequest, opts) {
    return answer(raw(this).readLogoutRequest(samlRequest, options(opts, 'options')));
  }

  /** The SP's LogoutResponse to a LogoutRequest the IdP sent, for the IdP's HTTP-Redirect SLO endpoint. */
  logoutResponse(init) {
    return answer(raw(this).logoutResponse(options(init, 'init')));
  }

  /**
   * Validates a posted SAMLResponse (base64, or the XML): signature with the
   * configured certificates, wrapping-proof selection, Status, Destination,
   * InResponseTo (one-time), Issuer, Conditions, Audience, bearer
   * SubjectConfirmation, replay; then returns the NameID and attributes.
   */
  validateResponse(samlResponse, opts) {
    return answer(raw(this).validateResponse(samlResponse, options(opts, 'options')));
  }

  /**
   * `validateResponse`, with the assertion ID remembered in `store` instead
   * of this instance's memory. Every check runs first (the module keeps the
   * prepared validation, nothing consumed); only then is `store.remember`
   * called (after this method has returned, so a store may call back into
   * this SP), and the request is consumed only once the store has answered
   * `true`, judged at the time the answer comes. `false` is
   * `saml.replayed`; a store that throws, rejects or answers anything else
   * is `saml.store.failed`, one slower than `storeTimeoutMs` is
   * `saml.store.timeout`: in those two cases nothing was consumed and the
   * same response may be retried. A `free()` while the store is asked
   * frees the SP once this call is finished, so the login is not lost.
   */
  validateResponseWithStore(samlResponse, store, opts) {
    /** @type {RawSamlServiceProvider} */
    let r;
    /** @type {{ n: number, assertionId: string, until: number, timeoutMs: number }} */
    let prepared;
    let timer;
    let asked;
    let timeout;
    const marker = {};
    let counted = false;
    try {
      r = raw(this);
      // Counted from here: a getter of the store or of the options may call
      // free(), and the handle must outlive this call all the same.
      inFlight.set(r, (inFlight.get(r) ?? 0) + 1);
      counted = true;
      const remember = rememberOf(store);
      prepared = answer(r.prepareResponse(samlResponse, options(opts, 'options')));
      const { n, assertionId, until, timeoutMs } = prepared;
      try {
        // The timer is started outside the Promise executor, so that a
        // setTimeout that throws (a host without one) throws here, before
        // the store is asked, and not into a rejected promise after it.
        let rejectTimeout;
        timeout = new Promise((_, reject) => { rejectTimeout = reject; });
        timer = setTimeout(rejectTimeout, timeoutMs, marker);
        // The store is asked last, once nothing else can fail: a store
        // asked for a call that then failed would record a login that no
        // one finishes.
        asked = Promise.resolve().then(() => remember.call(store, assertionId, until));
      } catch (e) {
        try {
          if (timer !== undefined) clearTimeout(timer);
        } finally {
          r.finishResponse(n, STORE_FAILED); // drops the prepared validation
        }
        throw e;
      }
    } catch (e) {
      if (counted) settled(r);
      return Promise.reject(e);
    }
    // allSettled always fulfils: the prepared validation is always finished or dropped.
    return Promise.allSettled([Promise.race([asked, timeout])]).then(([outcome]) => {
      let how;
      if (outcome.status === 'rejected') how = outcome.reason === marker ? STORE_TIMEOUT : STORE_FAILED;
      else if (outcome.value === true) how = FIRST_USE;
      else if (outcome.value === false) how = ALREADY_SEEN;
      else how = STORE_FAILED;
      try {
        return answer(r.finishResponse(prepared.n, how));
      } catch (e) {
        if (how === STORE_FAILED && outcome.status === 'rejected') e.cause = outcome.reason;
        throw e;
      } finally {
        try {
          clearTimeout(timer);
        } catch {
          // A timer left running fires into a race already settled: harmless.
        }
        settled(r);
      }
    });
  }

  /** This SP's metadata (AuthnRequestsSigned="false", WantAssertionsSigned="true"). */
  metadataXml(opts) {
    return answer(raw(this).metadataXml(options(opts, 'options')));
  }

  /** Number of AuthnRequests awaiting a response. */
  pendingCount() {
    return raw(this).pendingCount();
  }

  /** The SP's public configuration. */
  toJSON() {
    return answer(raw(this).toJSON());
  }

  /**
   * Frees the SP's memory in the module (once any validateResponseWithStore
   * in flight is finished); the SP cannot be used afterwards.
   */
  free() {
    const r = raws.get(this);
    raws.delete(this);
    if (r === undefined) return;
    if (inFlight.has(r)) freeWhenDone.add(r);
    else r.free();
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** Reads IdP metadata (for display or to check it before use). */
export function parseIdpMetadata(xml, opts) {
  const text = options(opts, 'options', 'signerCertificates');
  ready();
  return answer(rawParseIdpMetadata(xml, text));
}

/** Raw DEFLATE + base64 of a message: the HTTP-Redirect encoding (before percent-encoding). */
export function encodeRedirect(xml) {
  ready();
  return answer(rawEncodeRedirect(xml));
}

/**
 * Decodes a redirect-binding value (as taken from the query string): base64
 * (whitespace tolerated), raw inflate (refused past 256 KiB, never truncated), UTF-8.
 */
export function decodeRedirect(value) {
  ready();
  return answer(rawDecodeRedirect(value));
}

/** Decodes an HTTP-POST binding value: base64 (whitespace tolerated), UTF-8. */
export function decodePost(value) {
  ready();
  return answer(rawDecodePost(value));
}
