// The replay cache every isolate of the site shares: a SAML assertion is
// accepted once, wherever its copies arrive. (edge-sso's default replay memory
// lives in one SamlServiceProvider instance, which is right for a single
// long-lived process and wrong for many isolates and restarts.)
import { DurableObject } from 'cloudflare:workers';

/**
 * Remembers one accepted assertion ID until the assertion expires.
 *
 * Sharding: one object per assertion ID (see `replayStore`). The check only
 * ever concerns one ID, so every copy of an assertion meets in the same object
 * and nothing else does: no global object that every login of the site waits
 * for, and the object is created near the ACS that first sees the assertion.
 * Each object holds one small entry, deleted by an alarm when it expires.
 */
export class ReplayGuard extends DurableObject {
  /**
   * `true` the first time `assertionId` is seen (and records it until
   * `expiresAt`, ms since the epoch); `false` while it is remembered.
   *
   * Check-and-record is atomic without a transaction: while `get` is in
   * flight the object's input gate holds back every other call, and `put`
   * runs before this method yields again, so a concurrent call reads the new
   * entry. The output gate holds the `true` back until the write is durable.
   */
  async remember(assertionId, expiresAt) {
    const storage = this.ctx.storage;
    const until = await storage.get(assertionId);
    if (until !== undefined && until > Date.now()) return false;
    storage.put(assertionId, expiresAt);
    storage.setAlarm(expiresAt);
    return true;
  }

  /** The entry has expired: an expired assertion is refused by edge-sso anyway. */
  async alarm() {
    await this.ctx.storage.deleteAll();
  }
}

/**
 * The `ReplayStore` edge-sso's `validateResponseWithStore` asks, backed by the
 * `ReplayGuard` namespace binding. edge-sso asks only after the response passed
 * every check, so the names here are assertion IDs the IdP signed: nobody else
 * can make the worker create objects.
 */
export function replayStore(namespace) {
  return {
    remember(assertionId, expiresAt) {
      const guard = namespace.get(namespace.idFromName(assertionId));
      return guard.remember(assertionId, expiresAt);
    },
  };
}
