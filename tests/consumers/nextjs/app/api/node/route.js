// A Node.js route handler (the default runtime).
import * as sso from 'edge-sso';
import * as oauth from 'edge-sso/oauth';
import { smoke } from '../../../smoke/smoke.js';

export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json(smoke(sso, oauth));
}
