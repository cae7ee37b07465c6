// Many IdPs in one worker: the SAML_IDPS binding names each IdP by a short
// key (the path segment of /saml/<key>/...) and holds its metadata; each key
// gets its own SamlServiceProvider (its own SP entity ID, ACS and SLO URL
// under spBaseUrl), built from that metadata and kept per isolate until the
// metadata says to read it again.
//
// SAML_IDPS (json):
//   { "spBaseUrl": "https://app.example",
//     "idps": {
//       "<key>": { "metadataXml": "<EntityDescriptor …>" },                 // trusted as configured
//       "<key>": { "metadataXml": "<EntitiesDescriptor …>",                 // signed federation metadata
//                  "entityId": "https://idp.uni.example/idp",
//                  "signerCertificates": ["-----BEGIN CERTIFICATE-----…"] },
//       … } }
// An entry may also hold "sp": SP options passed to SamlServiceProvider
// (clockSkewSeconds, allowSha1, allowWeakRsa, allowHttp, allowMissingValidUntil).
import { SamlServiceProvider, parseIdpMetadata } from 'edge-sso';
import { Refusal } from './outcome.js';

/** What a path segment may be: lowercase letters, digits and '-'. */
export const IDP_KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Without a cacheDuration, the metadata is read again after this long (ms).
const DEFAULT_MAX_AGE_MS = 6 * 60 * 60 * 1000;
const SP_OPTIONS = ['clockSkewSeconds', 'allowSha1', 'allowWeakRsa', 'allowHttp', 'allowMissingValidUntil', 'requestTtlMs'];

// edge-sso's default clock skew (SamlServiceProviderConfig.clockSkewSeconds).
const DEFAULT_CLOCK_SKEW_SECONDS = 180;

/** key -> { sp, info, clockSkewSeconds, builtAt, refreshAt } for this isolate. */
const cache = new Map();

/** The URLs of the SP that faces IdP `key`. */
export function spUrls(spBaseUrl, key) {
  const base = `${spBaseUrl.replace(/\/+$/, '')}/saml/${key}`;
  return { entityId: `${base}/metadata`, acsUrl: `${base}/acs`, sloUrl: `${base}/slo` };
}

function configured(env, key) {
  const config = env.SAML_IDPS;
  if (!config) throw new Refusal(404, 'worker.idp_unknown', 'This worker has no SAML_IDPS binding.');
  const entry = Object.hasOwn(config.idps ?? {}, key) ? config.idps[key] : undefined;
  if (!IDP_KEY.test(key) || !entry) throw new Refusal(404, 'worker.idp_unknown', `No IdP is configured under "${key}".`);
  if (typeof config.spBaseUrl !== 'string' || typeof entry.metadataXml !== 'string') {
    throw new Refusal(500, 'worker.config_invalid', `SAML_IDPS needs spBaseUrl and idps.${key}.metadataXml.`);
  }
  return { spBaseUrl: config.spBaseUrl, entry };
}

/** The keys SAML_IDPS configures (none without the binding). */
export function idpKeys(env) {
  return Object.keys(env.SAML_IDPS?.idps ?? {}).filter((k) => IDP_KEY.test(k));
}

/**
 * Drops IdP `key`'s cached SP if it is still `sp`, so the next request builds
 * a fresh one. For a LogoutRequest edge-sso accepted (and so remembered in
 * `sp`'s memory) that the worker could then not act on: the IdP's retry must
 * not be refused as `saml.replayed` by this isolate. Replays stay refused by
 * the ReplayGuard, where every LogoutRequest and assertion ID is recorded.
 */
export function forgetServiceProvider(key, sp) {
  if (cache.get(key)?.sp === sp) cache.delete(key);
}

/**
 * The cached `{ sp, info, clockSkewSeconds, builtAt, refreshAt }` for IdP `key`, built again
 * (the metadata read and, when signed, verified again) once its validUntil
 * has passed or its cacheDuration has elapsed. Metadata past its validUntil
 * is refused by edge-sso (`saml.metadata.expired`), so an IdP whose metadata
 * expires stops working rather than being trusted on an old copy.
 */
export function idpServiceProvider(env, key) {
  const now = Date.now();
  const cached = cache.get(key);
  if (cached && now < cached.refreshAt) return cached;
  cache.delete(key);
  const { spBaseUrl, entry } = configured(env, key);
  try {
    const built = build(spBaseUrl, key, entry, now);
    cache.set(key, built);
    return built;
  } catch (error) {
    // The IdP's metadata is the worker's configuration: whatever edge-sso
    // refused in it (a signature, an expiry) is a 500 with edge-sso's code,
    // never an authentication failure of the user's.
    if (error?.name !== 'EdgeSsoError') throw error;
    throw new Refusal(500, error.code, `The metadata of IdP "${key}" is not usable: ${error.message}`);
  }
}

function build(spBaseUrl, key, entry, now) {
  const sp = Object.fromEntries(SP_OPTIONS.filter((o) => entry.sp?.[o] !== undefined).map((o) => [o, entry.sp[o]]));
  const signed = entry.signerCertificates !== undefined ? { signerCertificates: entry.signerCertificates } : {};
  const info = parseIdpMetadata(entry.metadataXml, {
    now,
    ...(entry.entityId !== undefined ? { entityId: entry.entityId } : {}),
    ...signed,
    ...(sp.allowMissingValidUntil !== undefined ? { allowMissingValidUntil: sp.allowMissingValidUntil } : {}),
    ...(sp.allowHttp !== undefined ? { allowHttp: sp.allowHttp } : {}),
    ...(sp.allowWeakRsa !== undefined ? { allowWeakRsa: sp.allowWeakRsa } : {}),
    ...(sp.allowSha1 !== undefined ? { allowSha1: sp.allowSha1 } : {}),
  });
  const built = {
    sp: new SamlServiceProvider({
      ...sp,
      ...spUrls(spBaseUrl, key),
      idpMetadataXml: entry.metadataXml,
      idpEntityId: info.entityId,
      ...(entry.signerCertificates !== undefined ? { metadataSignerCertificates: entry.signerCertificates } : {}),
      now,
    }),
    info,
    clockSkewSeconds: sp.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
    builtAt: now,
    refreshAt: Math.min(info.validUntil ?? Infinity, now + (info.cacheDurationSeconds !== undefined ? info.cacheDurationSeconds * 1000 : DEFAULT_MAX_AGE_MS)),
  };
  // The previous SP is not freed here: a request of this isolate may still
  // be awaiting its replay store. The wasm memory is released when it is collected.
  return built;
}
