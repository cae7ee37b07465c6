// validateResponseWithStore under store faults: whatever the store does
// (throws, rejects, hangs, answers late, answers nonsense, calls back into
// the SP), the promise settles with an EdgeSsoError or the result, nothing
// is accepted twice, and a genuine response is never burned: the same
// response, retried with a working store, is accepted exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SamlServiceProvider } from 'edge-sso';
// The module instance 'edge-sso' loads (pkg/index.js imports this file), to count its handles' frees.
import { RawSamlServiceProvider } from '../../pkg/edge_sso.js';

const responses = new URL('../fixtures/responses/', import.meta.url);
const dir = new URL('../fixtures/distinct/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', responses), 'utf8'));
const read = (name) => readFileSync(new URL(name, dir), 'utf8');
const b64 = (s) => Buffer.from(s).toString('base64');
const now = manifest.nowMs;

const newSp = (extra = {}) => new SamlServiceProvider({
  entityId: manifest.sp.entityId, acsUrl: manifest.sp.acsUrl,
  idp: { entityId: manifest.idpEntityId, ssoRedirectUrl: 'https://idp.example/sso', certificates: read('idp.pem') },
  ...extra,
});
const input = (i) => b64(read(`d${i}.xml`));
const opts = (i, more = {}) => ({ now, expectedRequestId: `_q${i}`, ...more });

/** A correct shared store: check-and-record in one step. */
function goodStore() {
  const seen = new Map();
  return {
    seen,
    remember(id, until) {
      if ((seen.get(id) ?? 0) > now) return false;
      seen.set(id, until);
      return true;
    },
  };
}

const faults = {
  throws: { remember() { throw new Error('down'); } },
  rejects: { remember: async () => { throw new Error('down'); } },
  'answers a string': { remember: () => 'true' },
  'answers undefined': { remember: () => undefined },
  'answers a number': { remember: async () => 1 },
  hangs: { remember: () => new Promise(() => {}) },
};

test('every store fault rejects with a typed error and burns nothing', async () => {
  let i = 0;
  for (const [name, store] of Object.entries(faults)) {
    const sp = newSp();
    const expect = name === 'hangs' ? 'saml.store.timeout' : 'saml.store.failed';
    await assert.rejects(
      sp.validateResponseWithStore(input(i), store, opts(i, { storeTimeoutMs: 50 })),
      (e) => e.name === 'EdgeSsoError' && e.code === expect && /retried/.test(e.message),
      name,
    );
    // The genuine retry, at the same instance, with a store that works.
    const good = goodStore();
    const v = await sp.validateResponseWithStore(input(i), good, opts(i));
    assert.equal(v.assertionId, `_d${i}`, name);
    await assert.rejects(sp.validateResponseWithStore(input(i), good, opts(i)), { code: 'saml.replayed' }, name);
    i += 1;
  }
});

test('a store slower than storeTimeoutMs: the client gives up, the request stays answerable', async () => {
  const sp = newSp();
  let late;
  const slow = {
    remember: () => new Promise((resolve) => { late = () => resolve(true); }),
  };
  await assert.rejects(sp.validateResponseWithStore(input(10), slow, opts(10, { storeTimeoutMs: 20 })), { code: 'saml.store.timeout' });
  late(); // the store answers after the client has gone: nothing happens here
  await new Promise((r) => setTimeout(r, 10));
  const v = await sp.validateResponseWithStore(input(10), goodStore(), opts(10));
  assert.equal(v.inResponseTo, '_q10');
});

test('storeTimeoutMs is checked', async () => {
  for (const bad of [0, 60_001, -1, 1.5, '100']) {
    await assert.rejects(newSp().validateResponseWithStore(input(11), goodStore(), opts(11, { storeTimeoutMs: bad })), { code: 'arg.invalid' }, String(bad));
  }
});

test('a store that calls back into the SP gets no wasm-bindgen error', async () => {
  const sp = newSp();
  const good = goodStore();
  let inner;
  const reentrant = {
    remember(id, until) {
      // the store runs after the method returned: the SP is free to use
      inner = sp.validateResponse(input(13), opts(13)).assertionId;
      return good.remember(id, until);
    },
  };
  const v = await sp.validateResponseWithStore(input(12), reentrant, opts(12));
  assert.equal(v.assertionId, '_d12');
  assert.equal(inner, '_d13');
});

test('concurrent copies of one response: exactly one is accepted', async () => {
  const sp = newSp();
  const good = goodStore();
  const slowGood = { remember: async (id, until) => { await new Promise((r) => setTimeout(r, 5)); return good.remember(id, until); } };
  const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => sp.validateResponseWithStore(input(14), slowGood, opts(14))));
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
  for (const o of outcomes.filter((x) => x.status === 'rejected')) assert.equal(o.reason.code, 'saml.replayed');
});

test('replayCapacity: a full memory refuses newcomers and remembers every accepted ID', () => {
  const sp = newSp({ replayCapacity: 5 });
  for (let i = 20; i < 25; i++) sp.validateResponse(input(i), opts(i));
  for (let i = 25; i < 70; i++) {
    assert.throws(() => sp.validateResponse(input(i), opts(i)), (e) => e.code === 'saml.replay.memory_full' && /replayCapacity/.test(e.message));
  }
  for (let i = 20; i < 25; i++) assert.throws(() => sp.validateResponse(input(i), opts(i)), { code: 'saml.replayed' });
  for (const bad of [0, 1_000_001]) assert.throws(() => newSp({ replayCapacity: bad }), { code: 'arg.invalid' });
});

test("a store's answer is judged when it comes, not when the store was asked", async () => {
  // The fixtures' bearer confirmation ends at 10:05:00Z; with the default
  // 180 s skew, 10:08:00Z is the first instant they are refused.
  const deadline = Date.UTC(2024, 4, 1, 10, 8, 0);
  const sp = newSp();
  const good = goodStore();
  const slow = { remember: (id, until) => new Promise((r) => setTimeout(() => r(good.remember(id, until)), 300)) };
  // Asked 100 ms before the deadline, answered 300 ms later: past it.
  await assert.rejects(
    sp.validateResponseWithStore(input(15), slow, opts(15, { now: deadline - 100 })),
    { code: 'saml.subject_confirmation.invalid' },
  );
  // Answered at once, the same response is in time: the refusal consumed nothing.
  const v = await sp.validateResponseWithStore(input(15), goodStore(), opts(15, { now: deadline - 100 }));
  assert.equal(v.assertionId, '_d15');
});

test('free() while the store is asked: the login the store recorded is still accepted, then the SP is gone', async () => {
  const original = RawSamlServiceProvider.prototype.free;
  let frees = 0;
  RawSamlServiceProvider.prototype.free = function free() { frees += 1; return original.call(this); };
  const sp = newSp();
  const good = goodStore();
  let v;
  try {
    const pending = sp.validateResponseWithStore(input(20), good, opts(20));
    sp.free(); // as a `using sp` block that returns the promise does
    sp.free();
    assert.equal(frees, 0, 'not freed while the store is asked');
    v = await pending;
    assert.equal(frees, 1, 'freed once the call is finished');
    sp.free();
    assert.equal(frees, 1, 'and only once');
  } finally {
    RawSamlServiceProvider.prototype.free = original;
  }
  assert.equal(v.assertionId, '_d20');
  assert.equal(good.seen.size, 1);
  assert.throws(() => sp.pendingCount(), { code: 'arg.invalid' });
  await assert.rejects(sp.validateResponseWithStore(input(20), good, opts(20)), { code: 'arg.invalid' });
  // A store that frees the SP from inside remember().
  const sp2 = newSp();
  const v2 = await sp2.validateResponseWithStore(input(21), { remember(id, until) { sp2.free(); return good.remember(id, until); } }, opts(21));
  assert.equal(v2.assertionId, '_d21');
  // A store whose remember getter frees the SP: still counted, still accepted.
  const sp3 = newSp();
  const v3 = await sp3.validateResponseWithStore(input(23), { get remember() { sp3.free(); return good.remember.bind(good); } }, opts(23));
  assert.equal(v3.assertionId, '_d23');
});

test('a setTimeout that throws fails the call before the store is asked: nothing recorded, the retry works', async () => {
  const sp = newSp();
  const good = goodStore();
  const original = globalThis.setTimeout;
  globalThis.setTimeout = () => { throw new Error('no timers here'); };
  let call;
  try {
    call = sp.validateResponseWithStore(input(22), good, opts(22));
  } finally {
    globalThis.setTimeout = original;
  }
  await assert.rejects(call, /no timers here/);
  assert.equal(good.seen.size, 0, 'the store was not asked');
  assert.equal((await sp.validateResponseWithStore(input(22), good, opts(22))).assertionId, '_d22');
});
