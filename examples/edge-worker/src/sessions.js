// The worker's sessions: what a SAML login at a per-IdP ACS starts and what a
// Single Logout from that IdP ends. A session is a 256-bit random ID in an
// HttpOnly cookie; its record (the IdP, NameID, SessionIndex) lives in a
// Durable Object that every isolate shares.
import { DurableObject } from 'cloudflare:workers';

// How long a session lives when the IdP names no SessionNotOnOrAfter (ms).
const MAX_SESSION_MS = 8 * 60 * 60 * 1000;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The sessions of one subject: one IdP (by the worker's key for it) and one
 * NameID. Sharding by subject puts everything a LogoutRequest names in one
 * object, so ending "this NameID's sessions with these SessionIndexes" is one
 * call, made atomic by the object's input gate.
 */
export class SessionDirectory extends DurableObject {
  /** Records a session until `record.expiresAt` (ms since the epoch). */
  async open(sessionId, record) {
    const storage = this.ctx.storage;
    await storage.put(sessionId, record);
    await this.#scheduleAlarm();
  }

  /** The session's record, or null when it is unknown, ended or expired. */
  async lookup(sessionId) {
    const record = await this.ctx.storage.get(sessionId);
    if (!record || record.expiresAt <= Date.now()) return null;
    return record;
  }

  /**
   * Ends the sessions a LogoutRequest names: those with one of
   * `sessionIndexes`, or every session of the subject when it names none
   * (SAML Core §3.7.1). Returns the IDs of the sessions it ended.
   */
  async end(sessionIndexes) {
    const storage = this.ctx.storage;
    const all = await storage.list();
    const doomed = [...all].filter(([, r]) => sessionIndexes.length === 0 || sessionIndexes.includes(r.sessionIndex))
      .map(([id]) => id);
    if (doomed.length) await storage.delete(doomed);
    return doomed;
  }

  async alarm() {
    const storage = this.ctx.storage;
    const now = Date.now();
    const expired = [...await storage.list()].filter(([, r]) => r.expiresAt <= now).map(([id]) => id);
    if (expired.length) await storage.delete(expired);
    await this.#scheduleAlarm();
  }

  async #scheduleAlarm() {
    const storage = this.ctx.storage;
    let next = Infinity;
    for (const [, r] of await storage.list()) next = Math.min(next, r.expiresAt);
    if (next === Infinity) await storage.deleteAlarm();
    else await storage.setAlarm(next);
  }
}

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function randomHex() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The name of a subject's SessionDirectory: a hash, so no NameID appears in a cookie. */
function subjectOf(idpKey, nameId) {
  return sha256Hex(`${idpKey}\n${nameId}`);
}

function directory(namespace, subject) {
  return namespace.get(namespace.idFromName(subject));
}

// Waits between attempts to record a session (ms): a Durable Object that
// is briefly unreachable (overloaded, being moved, reset) usually answers
// again within a few hundred ms. Three attempts in all, about 0.6 s.
const OPEN_RETRY_DELAYS_MS = [100, 500];

/**
 * Starts a session for a validated response; returns `{ cookieValue, expiresAt }`
 * (the cookie names the subject's directory and the session in it). A failed
 * write is tried again (same session ID, so a write that did land is simply
 * repeated, and a fresh stub, as a broken one stays broken); the last
 * failure is thrown.
 */
export async function openSession(namespace, idpKey, validated) {
  const subject = await subjectOf(idpKey, validated.nameId);
  const sessionId = randomHex();
  const expiresAt = Math.min(validated.sessionNotOnOrAfter ?? Infinity, Date.now() + MAX_SESSION_MS);
  const record = {
    idp: idpKey,
    issuer: validated.issuer,
    nameId: validated.nameId,
    sessionIndex: validated.sessionIndex ?? null,
    createdAt: Date.now(),
    expiresAt,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await directory(namespace, subject).open(sessionId, record);
      break;
    } catch (error) {
      if (attempt >= OPEN_RETRY_DELAYS_MS.length) throw error;
      console.error(`edge-worker: recording the session failed (attempt ${attempt + 1}), trying again`, error);
      await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_DELAYS_MS[attempt]));
    }
  }
  return { cookieValue: `${subject}.${sessionId}`, expiresAt };
}

/** The session a cookie value names, or null; `undefined` for a value the worker never set. */
export async function lookupSession(namespace, cookieValue) {
  const [subject, sessionId, extra] = cookieValue.split('.');
  if (extra !== undefined || !HEX64.test(subject ?? '') || !HEX64.test(sessionId ?? '')) return undefined;
  return directory(namespace, subject).lookup(sessionId);
}

/**
 * Ends the sessions of `nameId` at `idpKey` that a LogoutRequest names;
 * returns the cookie values that named them.
 */
export async function endSessions(namespace, idpKey, nameId, sessionIndexes) {
  const subject = await subjectOf(idpKey, nameId);
  const ended = await directory(namespace, subject).end(sessionIndexes);
  return ended.map((sessionId) => `${subject}.${sessionId}`);
}
