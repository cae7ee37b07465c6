// A Vercel Edge Function.
import * as sso from 'edge-sso';
import * as oauth from 'edge-sso/oauth';
import { smoke } from '../smoke/smoke.js';

export const config = { runtime: 'edge' };

export default function handler() {
  return Response.json(smoke(sso, oauth));
}
