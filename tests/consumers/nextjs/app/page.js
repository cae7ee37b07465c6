// A server component page that renders the client component.
import SmokeClient from './smoke-client.js';

export default function Page() {
  return <SmokeClient />;
}
