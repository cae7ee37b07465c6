// edge-sso/session, the page's side: an OAuth session whose client, tokens
// and DPoP key live in a worker (./worker.js). Nothing here ever holds a
// token, so there is none for a script in the page to take: every method
// sends a message to the worker and gets back public facts, claims, or a
// resource's answer. This file has no WebAssembly; the worker has it.
//
// The worker is started with the literal `new SharedWorker(new URL('./worker.js',
// import.meta.url), ...)` (and `new Worker(...)` alike) that webpack and Vite
// follow to emit it; where a bundler does not (Rollup, esbuild), the app
// copies pkg/session/worker.js beside its bundle or passes `worker`.

const PROTOCOL = 1;
const LOGIN_KEY = 'edge-sso:session:login'; // sessionStorage, a redirect login's pending flow, until its callback
const POPUP_FEATURES = 'popup,width=480,height=680';
// How long the page waits for the worker's first message (it posts one as
// soon as its script has run) before it gives up: a worker whose script
// never loads must not leave every call waiting for ever: a script that is
// not edge-sso's never answers, and the worker's `error` event, which
// should come for a missing script, once did not in Chromium in this
// project's tests.
const START_TIMEOUT_MS = 10_000;

// The platform, captured at import: a script that replaces these later
// changes nothing the session does (it could only ever see what the page
// sees anyway, and the page sees no token).
const { postMessage: portPost } = MessagePort.prototype;
const WorkerPost = typeof Worker === 'function' ? Worker.prototype.postMessage : undefined;
const NativeResponse = globalThis.Response;
const NativeHeaders = globalThis.Headers;
const NativeRequest = globalThis.Request;
const NativeURL = globalThis.URL;
const jsonParse = JSON.parse;
const setTimer = globalThis.setTimeout.bind(globalThis);
const clearTimer = globalThis.clearTimeout.bind(globalThis);
const jsonStringify = JSON.stringify;
const storage = () => globalThis.sessionStorage;
// In a classic-script bundle (esbuild --format=iife) `import.meta` is empty;
// the script's own URL stands in for it.
const SCRIPT_URL = typeof document === 'object' && document?.currentScript?.src ? document.currentScript.src : undefined;

/** The error every session failure is (the same name and `code` contract as edge-sso's EdgeSsoError). */
export class SessionError extends Error {
  constructor(code, message, fields) {
    super(message);
    this.name = 'EdgeSsoError';
    this.code = code;
    if (fields !== undefined) Object.assign(this, fields);
  }
}

const invalid = (field, reason) => new SessionError('arg.invalid', `invalid \`${field}\`: ${reason}`);

/** Starts the worker: `worker` (a URL) if given, else the package's worker.js. */
function spawn(kind, worker, name) {
  if (worker !== undefined) {
    return kind === 'shared' ? new SharedWorker(worker, { type: 'module', name }) : new Worker(worker, { type: 'module', name });
  }
  if (typeof import.meta.url !== 'string' && SCRIPT_URL !== undefined) {
    const url = new NativeURL('./worker.js', SCRIPT_URL);
    return kind === 'shared' ? new SharedWorker(url, { type: 'module', name }) : new Worker(url, { type: 'module', name });
  }
  // Literal forms, so that bundlers see and emit the worker. `name` must be
  // static for Vite; pass `worker` to use another name.
  return kind === 'shared'
    ? new SharedWorker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'edge-sso' })
    : new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'edge-sso' });
}

/** A request's parts for the worker: URL, method, header pairs, body (string, ArrayBuffer or null). */
async function requestParts(input, init = {}) {
  if (init === null || typeof init !== 'object') throw invalid('init', 'must be an object');
  let url;
  let method = 'GET';
  let headers = new NativeHeaders();
  let body = null;
  if (input instanceof NativeRequest) {
    url = input.url;
    method = input.method;
    headers = new NativeHeaders(input.headers);
    if (input.body !== null) body = await input.arrayBuffer();
  } else if (typeof input === 'string' || input instanceof NativeURL) {
    url = new NativeURL(String(input), globalThis.location?.href).href;
  } else {
    throw invalid('input', 'must be a URL string, a URL or a Request');
  }
  if (init.method !== undefined) method = String(init.method).toUpperCase();
  if (init.headers !== undefined) headers = new NativeHeaders(init.headers);
  if (init.body !== undefined && init.body !== null) {
    const b = init.body;
    if (typeof b === 'string') body = b;
    else if (b instanceof ArrayBuffer) body = b.slice(0);
    else if (ArrayBuffer.isView(b)) body = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    else if (typeof Blob === 'function' && b instanceof Blob) body = await b.arrayBuffer();
    else if (b instanceof URLSearchParams) {
      body = b.toString();
      if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    } else throw invalid('init.body', 'must be a string, an ArrayBuffer, a typed array, a Blob or URLSearchParams');
  }
  if (typeof body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
  return { url, method, headers: [...headers], body };
}

/**
 * An OAuth session run by a worker. Create it with `createSession`; every
 * page of the origin that uses the same configuration shares its login.
 */
export class Session {
  #send;
  #pending = new Map();
  #listeners = new Set();
  #next = 1;
  #configured;
  #closed = false;
  #kind;
  #startTimer;
  #started = false; // the worker sent its first message

  constructor(config, key) {
    if (key !== CREATE) throw new TypeError('a Session comes from createSession(config)');
    if (config === null || typeof config !== 'object') throw invalid('config', 'must be an object');
    const { worker, mode, startTimeoutMs = START_TIMEOUT_MS, ...rest } = config;
    // setTimeout takes at most 2^31 - 1 ms (a larger delay fires at once).
    if (!Number.isSafeInteger(startTimeoutMs) || startTimeoutMs <= 0 || startTimeoutMs > 2 ** 31 - 1) {
      throw invalid('startTimeoutMs', 'must be a positive integer of milliseconds, at most 2147483647');
    }
    const kind = mode ?? (typeof SharedWorker === 'function' ? 'shared' : 'dedicated');
    if (kind !== 'shared' && kind !== 'dedicated') throw invalid('mode', 'must be "shared" or "dedicated"');
    if (kind === 'dedicated' && typeof navigator?.locks?.request !== 'function') {
      throw new SessionError('session.unsupported', 'this browser has neither SharedWorker nor Web Locks');
    }
    this.#kind = kind;
    const { name = 'edge-sso' } = rest;
    delete rest.name;
    if (name !== 'edge-sso' && worker === undefined) throw invalid('name', 'another worker name needs `worker` (the worker script URL) too');
    const w = spawn(kind, worker, name);
    const onMessage = (e) => this.#receive(e.data);
    if (kind === 'shared') {
      const { port } = w;
      port.addEventListener('message', onMessage);
      port.start();
      this.#send = (msg, transfer) => Reflect.apply(portPost, port, [msg, transfer]);
    } else {
      w.addEventListener('message', onMessage);
      this.#send = (msg, transfer) => Reflect.apply(WorkerPost, w, [msg, transfer]);
    }
    // Before the worker's first message, an error is its script not
    // loading; after it (a dedicated worker's uncaught error), the worker
    // runs on, and only the calls waiting then may have lost their answer.
    w.addEventListener('error', () => {
      if (this.#started) this.#rejectPending(new SessionError('session.worker_failed', 'the session worker reported an error while these calls were pending'));
      else this.#fail(new SessionError('session.worker_failed',
        'the session worker did not start (its script was not found or failed): see the README on loading the worker'));
    });
    this.#startTimer = setTimer(() => this.#fail(new SessionError('session.worker_failed',
      `the session worker did not start within ${startTimeoutMs} ms (its script was not found, failed or is not edge-sso's worker): see the README on loading the worker`)), startTimeoutMs);
    // JSON-clean copy: only what structured clone would carry as plain data.
    let args;
    try {
      args = jsonParse(jsonStringify(rest));
    } catch {
      throw invalid('config', 'must be plain JSON data');
    }
    this.#configured = this.#call('configure', args);
    this.#configured.catch(() => {});
    globalThis.addEventListener?.('pagehide', () => this.close(), { once: true });
  }

  /** 'shared' or 'dedicated': which kind of worker runs this session. */
  get mode() {
    return this.#kind;
  }

  /**
   * The worker did not start: the pending calls get `error`, the configuration
   * among them, which every later call awaits and so gets too.
   */
  #fail(error) {
    clearTimer(this.#startTimer);
    this.#rejectPending(error);
  }

  #rejectPending(error) {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }

  #receive(d) {
    if (d === null || typeof d !== 'object' || d.edgeSso !== PROTOCOL) return;
    // Any message of the worker's protocol says that it runs.
    if (!this.#started) {
      this.#started = true;
      clearTimer(this.#startTimer);
    }
    if (d.event === 'started') return;
    if (typeof d.event === 'string') {
      for (const f of this.#listeners) {
        try {
          f(d);
        } catch { /* a listener's error is its own */ }
      }
      return;
    }
    const p = this.#pending.get(d.id);
    if (p === undefined) return;
    this.#pending.delete(d.id);
    if (d.ok === true) p.resolve(d.value);
    else {
      const { code, message, ...fields } = d.error ?? {};
      p.reject(new SessionError(typeof code === 'string' ? code : 'session.failed', String(message ?? 'failed'), fields));
    }
  }

  #call(op, args = {}, transfer = []) {
    if (this.#closed) return Promise.reject(new SessionError('session.closed', 'this session was closed'));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send({ edgeSso: PROTOCOL, id, op, args }, transfer);
    });
  }

  async #op(op, args, transfer) {
    await this.#configured;
    return this.#call(op, args, transfer);
  }

  /**
   * The public facts: `{ loggedIn: false }`, or `{ loggedIn: true, tokenType, expiresAt, scope,
   * hasRefreshToken, claims }` (the ID token's validated claims). Never a token.
   */
  info() {
    return this.#configured.then(() => this.#call('info'));
  }

  /**
   * Logs in. By default in a popup (opened at once, in the click that called this, so no popup blocker
   * stops it), resolving with `info()` once the callback page has handed the answer to the worker;
   * with `{ redirect: true }` the page itself goes to the authorization server (and the callback page
   * calls `callback()`).
   */
  login(options = {}) {
    if (options === null || typeof options !== 'object') return Promise.reject(invalid('options', 'must be an object'));
    const { redirect = false, scope, extraParams } = options;
    const args = {};
    if (scope !== undefined) args.scope = scope;
    if (extraParams !== undefined) args.extraParams = extraParams;
    if (redirect) {
      return this.#op('login', { ...args, carry: true }).then(({ url, flow }) => {
        // The pending flow (state, PKCE verifier, nonce: no token) for the
        // trip, in this tab only; callback() reads and deletes it.
        storage().setItem(LOGIN_KEY, jsonStringify(flow));
        globalThis.location.assign(url);
        return new Promise(() => {}); // the page is leaving
      });
    }
    // Opened now, while the click's user activation lasts; pointed at the
    // authorization URL once the worker has made it.
    const popup = globalThis.open('about:blank', 'edge-sso-login', POPUP_FEATURES);
    if (popup === null) return Promise.reject(new SessionError('session.popup_blocked', 'the browser blocked the login popup: call login() in a click handler'));
    return new Promise((resolve, reject) => {
      let state;
      let timer;
      const done = (f, v) => {
        clearInterval(timer);
        this.#listeners.delete(listener);
        f(v);
      };
      const listener = (e) => {
        if (e.event !== 'login' || e.state !== state) return;
        if (e.ok) this.info().then((i) => done(resolve, i), (err) => done(reject, err));
        else done(reject, new SessionError(e.error?.code ?? 'session.failed', String(e.error?.message ?? 'login failed')));
      };
      this.#listeners.add(listener);
      this.#op('login', args).then(({ url, state: s }) => {
        state = s;
        popup.location.href = url;
        // A popup closed before its callback is a cancelled login (a grace
        // period lets the callback's event arrive first).
        timer = setInterval(() => {
          if (popup.closed) {
            clearInterval(timer);
            setTimeout(() => done(reject, new SessionError('session.login_cancelled', 'the login popup was closed')), 2000);
          }
        }, 250);
      }, (err) => {
        popup.close();
        done(reject, err);
      });
    });
  }

  /**
   * On the redirect URI's page: hands the callback URL (default `location.href`) to the worker, which
   * checks it and redeems the code; removes the code from the address bar; resolves with `info()`.
   * In the login popup, closes it afterwards (`{ close: false }` keeps it).
   */
  async callback(url = globalThis.location?.href, { close = true } = {}) {
    const args = { url };
    const carried = storage()?.getItem(LOGIN_KEY);
    if (carried !== null && carried !== undefined) {
      storage().removeItem(LOGIN_KEY);
      try {
        args.flow = jsonParse(carried);
      } catch { /* a damaged entry: the worker refuses the state */ }
    }
    if (url === globalThis.location?.href) globalThis.history?.replaceState(null, '', globalThis.location.pathname);
    try {
      return await this.#op('callback', args);
    } finally {
      if (close && globalThis.opener !== null && globalThis.opener !== undefined && globalThis.name === 'edge-sso-login') globalThis.close();
    }
  }

  /** The UserInfo claims (OIDC Core §5.3), fetched by the worker; `sub` is checked against the ID token's. */
  userinfo() {
    return this.#op('userinfo');
  }

  /**
   * `fetch` by the worker, with `Authorization` and a DPoP proof, for a URL on one of the configured
   * `resources` origins (any other is refused: session.fetch.origin_refused). A redirect is not
   * followed (session.fetch.redirect_refused). Resolves with a Response built from the answer.
   */
  async fetch(input, init) {
    const parts = await requestParts(input, init);
    const transfer = parts.body instanceof ArrayBuffer ? [parts.body] : [];
    const a = await this.#op('fetch', parts, transfer);
    const nullBody = a.status === 204 || a.status === 304 || a.status === 205;
    return new NativeResponse(nullBody ? null : a.body, { status: a.status, statusText: a.statusText, headers: a.headers });
  }

  /**
   * Logs out everywhere this session is shared: the worker revokes the refresh and access tokens
   * (RFC 7009) where the server has a revocation endpoint and wipes them; every page gets a `change`.
   * With `{ endSession: true }` resolves with the OP's logout URL (OIDC RP-Initiated Logout) to visit.
   */
  logout(options = {}) {
    if (options === null || typeof options !== 'object') return Promise.reject(invalid('options', 'must be an object'));
    return this.#op('logout', options.endSession === true ? { endSession: true } : {});
  }

  /** Calls `listener(info)` whenever the login changes in any page (login, refresh, logout). Returns a remover. */
  onChange(listener) {
    if (typeof listener !== 'function') throw invalid('listener', 'must be a function');
    const f = (e) => {
      if (e.event === 'change') listener(e.info);
    };
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  /** Disconnects this page from the worker (the login stays for the other pages). */
  close() {
    if (this.#closed) return;
    this.#call('close').catch(() => {});
    clearTimer(this.#startTimer);
    this.#closed = true;
  }

  toJSON() {
    return { mode: this.#kind };
  }

  toString() {
    return '[Session]';
  }
}

const CREATE = Symbol('createSession');

/**
 * Starts (or joins) the session worker and configures it. The configuration is public: the issuer
 * (discovered from its metadata), the client, and `resources`, the exact origins the worker may send
 * the access token to.
 */
export function createSession(config) {
  return new Session(config, CREATE);
}
