/**
 * A child process (fork) that listens on [::1]:P and 127.0.0.1:P (with argument 'v4', on
 * 127.0.0.1:P alone, so the parent can put a black hole on [::1]:P) and holds every
 * connection until its parent says 'stop': the load tests' servers, kept out of the
 * client's process so the client's file descriptors count the client alone.
 * Messages to the parent: { port } once listening, { accepted } when asked 'count'.
 */
import net from 'node:net';

let accepted = 0;
const onConnection = (socket: net.Socket): void => {
  accepted++;
  socket.on('error', () => {});
};

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host === '::1', backlog: 1024 }, () => resolve(server));
  });
}

const v4only = process.argv[2] === 'v4';
const first = await listen(v4only ? '127.0.0.1' : '::1', 0);
const port = (first.address() as net.AddressInfo).port;
// The same port on 127.0.0.1 is free unless another process holds it: then exit, and the
// parent starts another child.
/* c8 ignore next */
if (!v4only) await listen('127.0.0.1', port).catch(() => process.exit(3));
process.send!({ port });
process.on('message', (message) => {
  if (message === 'count') return void process.send!({ accepted });
  process.exit(0); // 'stop': every listener and connection goes with the process
});
