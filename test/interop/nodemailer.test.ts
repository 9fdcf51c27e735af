/**
 * nodemailer's `getSocket` handing it our connected socket, against a real SMTP server
 * (the smtp-server package) in both worlds, with STARTTLS checked against the test CA.
 */
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import t, { type Test } from 'tap';
import { createConnection } from '../../lib/adapters/create-connection.js';
import { ca, DUAL_NAME, MISSING_NAME, startDns, type WorldKind } from '../helpers/http-servers.js';
import { backToBaseline, settledResources } from '../helpers/race-loopback.js';
import { nodeServers, startTcpWorld } from '../helpers/tcp-world.js';
import { forbidSystemDns } from '../helpers/no-system-dns.js';

forbidSystemDns(t);

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));

interface Mail {
  remoteAddress: string;
  secure: boolean;
  text: string;
}

async function setup(t: Test, kind: WorldKind) {
  const { resolver } = await startDns(t);
  const seen = { connections: 0, mails: [] as Mail[] };
  const make = (): net.Server =>
    new SMTPServer({
      key: fixture('server-key.pem'),
      cert: fixture('server.pem'),
      authOptional: true,
      logger: false,
      onConnect: (_session, callback) => {
        seen.connections++;
        callback();
      },
      onData: (stream, session, callback) => {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += String(chunk)));
        stream.on('end', () => {
          seen.mails.push({ remoteAddress: String(session.remoteAddress), secure: session.secure, text });
          callback();
        });
      },
    }).server;
  const world = await startTcpWorld(t, kind, nodeServers(make));
  const baseline = await settledResources();
  const transport = (host = DUAL_NAME, pool = false) => {
    const transporter = nodemailer.createTransport({
      host,
      port: world.port,
      requireTLS: true,
      tls: { ca },
      pool,
      maxConnections: 1,
      // The recipe: our connected socket as nodemailer's `connection`.
      getSocket: (options: { host?: string; port?: number }, callback: (err: Error | null, socket?: { connection: net.Socket }) => void) =>
        createConnection({ host: options.host, port: options.port, resolver }, (err, socket) =>
          callback(err, socket ? { connection: socket as net.Socket } : undefined),
        ),
    } as Parameters<typeof nodemailer.createTransport>[0]);
    t.teardown(() => transporter.close());
    return transporter;
  };
  return { seen, transport, baseline };
}

const mail = (i: number) => ({ from: 'a@example.test', to: 'b@example.test', subject: `m${i}`, text: `hello ${i}` });

t.test('R3/R12: nodemailer getSocket: IPv6 black-holed, the mail goes over IPv4, STARTTLS verified', async (t) => {
  const { seen, transport } = await setup(t, 'black-hole');
  const started = performance.now();
  await transport().sendMail(mail(0));
  t.ok(performance.now() - started >= 200, 'IPv6 was tried first and given its 250 ms');
  t.match(seen.mails, [{ remoteAddress: '127.0.0.1', secure: true, text: /hello 0/ }]);
});

t.test('nodemailer getSocket: healthy, over ::1; a pooled transport sends three mails over one connection', async (t) => {
  const { seen, transport, baseline } = await setup(t, 'healthy');
  const pooled = transport(DUAL_NAME, true);
  for (let i = 0; i < 3; i++) await pooled.sendMail(mail(i));
  t.same(
    seen.mails.map((m) => [m.remoteAddress, m.secure]),
    [
      ['::1', true],
      ['::1', true],
      ['::1', true],
    ],
  );
  t.equal(seen.connections, 1, 'one SMTP connection for the three');
  pooled.close();
  await backToBaseline(t, baseline, 'after the transport closed');
});

t.test('nodemailer getSocket: an unknown name fails with ENOTFOUND', async (t) => {
  const { seen, transport } = await setup(t, 'healthy');
  const err = (await transport(MISSING_NAME)
    .sendMail(mail(0))
    .catch((e: unknown) => e)) as { code?: string };
  t.equal(err.code, 'ENOTFOUND');
  t.equal(seen.connections, 0);
});
