/** A loopback port where nothing listens (UDP and TCP): queries there get ECONNREFUSED. */
import dgram from 'node:dgram';
import net from 'node:net';

export async function closedPort(host = '127.0.0.1'): Promise<{ address: string; port: number; family: 4 | 6 }> {
  const family = net.isIPv6(host) ? 6 : 4;
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return { address: host, port, family };
}
