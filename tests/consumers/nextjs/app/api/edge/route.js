// An edge route handler: Next.js bundles it for its edge runtime (the
// `edge-light` export condition, where compiling wasm from bytes is refused).
import * as sso from 'edge-sso';
import * as oauth from 'edge-sso/oauth';
import { smoke } from '../../../smoke/smoke.js';

export const runtime = 'edge';
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json(smoke(sso, oauth));
}
