'use client';
// A client component: edge-sso in the browser bundle, the smoke run after hydration.
import { useEffect, useState } from 'react';
import * as sso from 'edge-sso';
import * as oauth from 'edge-sso/oauth';
import { smoke } from '../smoke/smoke.js';

export default function SmokeClient() {
  const [result, setResult] = useState('');
  useEffect(() => setResult(JSON.stringify(smoke(sso, oauth))), []);
  return <pre id="result">{result}</pre>;
}
