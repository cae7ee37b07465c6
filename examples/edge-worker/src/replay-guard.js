// The replay cache every isolate of the site shares: a SAML assertion is
// accepted once, wherever its copies arrive. (edge-sso's default replay memory
// lives in one SamlServiceProvider instance, which is right for a single
// long-lived process and wrong for many isolates and restarts.)
import { DurableObject } from 'cloudflare:workers';

/** How long a recorded, unconfirmed login is held for the attempt that recorded it. */
const LEASE_MS = 5_000;

/**
 * Remembers one accepted assertion ID until the assertion expires.
 *
 * Sharding: one object per assertion ID (see `replayStore`). The check only
 * ever concerns one ID, so every copy of an assertion meets in the same object
 * and nothing else does: no global object that every login of the site waits
 * for, and the object is created near the ACS that first sees the assertion.
 * Each object holds one small entry, deleted with the rest of its storage by
 * an alarm when it expires.
 *
 * Record, then confirm. A login's first attempt records the assertion with
 * the digest of its retry key, a random value only the browser that started
 * the login holds (in its request cookie, never sent to the IdP; the request
 * ID itself is no such secret: it is the response's InResponseTo). Until the
 * worker confirms the login, the same browser may try again: its attempt was
 * recorded here but the answer never reached the isolate (a store timeout, a
 * lost reply), which edge-sso reports as retryable, and a retry must not be
 * refused as a replay. While an attempt holds its lease, a second one with
 * the same key is told to retry later (it throws, which edge-sso reports as
 * `saml.store.failed`), so racing copies are still accepted once. Without a
 * key (a LogoutRequest's ID), under another key, or once confirmed, a copy is
 * a replay.
 */
export class ReplayGuard extends DurableObject {
  /**
   * `true` the first time `assertionId` is seen (recording it until
   * `expiresAt`, ms since the epoch, for `retryKey`), or again for the same
   * `retryKey` while unconfirmed and not leased to an attempt in flight;
   * `false` while it is remembered otherwise.
   *
   * Check-and-record is atomic without a transaction: while `get` is in
   * flight the object's input gate holds back every other call, and `put`
   * runs before this method yields again, so a concurrent call reads the new
   * entry. The output gate holds the answer back until the write is durable.
   * `leaseMs` is for tests; the worker leaves it at the default.
   */
  async remember(assertionId, expiresAt, retryKey, leaseMs = LEASE_MS) {
    const storage = this.ctx.storage;
    const now = Date.now();
    const key = typeof retryKey === 'string' && retryKey ? retryKey : null;
    const held = entryOf(await storage.get(assertionId));
    if (held && held.until > now) {
      if (held.confirmed || key === null || held.key !== key) return false;
      if (now < held.leaseUntil) throw new Error('this login is being recorded by another attempt: retry shortly');
    }
    storage.put(assertionId, { until: expiresAt, key, confirmed: false, leaseUntil: now + leaseMs });
    storage.setAlarm(expiresAt);
    return true;
  }

  /**
   * The login recorded for `retryKey` was accepted: from now on every copy
   * is a replay, for that browser too. `false` when nothing is recorded for
   * that key (so nothing was confirmed).
   */
  async confirm(assertionId, retryKey) {
    const storage = this.ctx.storage;
    const held = entryOf(await storage.get(assertionId));
    if (!held || held.key === null || held.key !== retryKey) return false;
    if (!held.confirmed) storage.put(assertionId, { ...held, confirmed: true });
    return true;
  }

  /** The entry has expired: an expired assertion is refused by edge-sso anyway. */
  async alarm() {
    await this.ctx.storage.deleteAll();
  }
}

/** A stored entry; a bare number is an entry from before record-then-confirm (final). */
function entryOf(value) {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { until: value, key: null, confirmed: true, leaseUntil: 0 };
  return value;
}

/** A new retry key: 256 random bits, base64url (cookie-safe). */
export function newRetryKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** What the ReplayGuard keeps of a retry key: its SHA-256, in hex. */
export async function retryKeyDigest(retryKey) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(retryKey));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The `ReplayStore` edge-sso's `validateResponseWithStore` asks, backed by the
 * `ReplayGuard` namespace binding; `retryKey` (the login's, from its cookie)
 * lets that browser retry an attempt whose answer was lost; without one every
 * second sighting is a replay. edge-sso asks only after the response passed
 * every check, so the names here are assertion IDs the IdP signed: nobody else
 * can make the worker create objects. Once the login is accepted,
 * `confirm(assertionId)` ends the retry window.
 */
export async function replayStore(namespace, retryKey) {
  const key = retryKey ? await retryKeyDigest(retryKey) : undefined;
  const guard = (assertionId) => namespace.get(namespace.idFromName(assertionId));
  return {
    remember(assertionId, expiresAt) {
      return guard(assertionId).remember(assertionId, expiresAt, key);
    },
    confirm(assertionId) {
      return key ? guard(assertionId).confirm(assertionId, key) : Promise.resolve(false);
    },
  };
}
