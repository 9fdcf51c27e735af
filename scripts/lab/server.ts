/**
 * The lab's web server, run in the server namespace by netns.ts: HTTP on port 80 and
 * HTTPS on 443 (certificate from fixtures/tls, valid for *.he.test), dual-stack, each
 * request answered 204 at once. Peers that only connect close without a request.
 *
 *   ip netns exec he-server node build/scripts/lab/server.js FIXTURES_TLS_DIR
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';

const tlsDir = process.argv[2];
if (!tlsDir) throw new Error('usage: server.js FIXTURES_TLS_DIR');
const answer: http.RequestListener = (_req, res) => {
  res.writeHead(204, { connection: 'close' });
  res.end();
};
const servers = [
  [http.createServer(answer), 80],
  [https.createServer({ key: readFileSync(join(tlsDir, 'server-key.pem')), cert: readFileSync(join(tlsDir, 'server.pem')) }, answer), 443],
] as const;
for (const [server, port] of servers) {
  server.on('clientError', (_err, socket) => socket.destroy()); // peers that connect and leave
  server.listen({ port, host: '::', ipv6Only: false, backlog: 511 }, () => console.log(`listening on [::]:${port}`));
}
const stop = (): void => {
  for (const [server] of servers) server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
