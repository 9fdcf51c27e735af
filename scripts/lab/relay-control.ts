/** Talks to the relay's control socket (UDP on 127.0.0.1 in the root namespace): JSON in, JSON out. */
import dgram from 'node:dgram';

export interface RelayReply {
  ok: boolean;
  error?: string;
  config: Record<string, unknown>;
  /** Packets counted since the last `set`, by what happened to them. */
  stats: Record<string, number>;
  queued: number;
}

export type RelayCommand = { cmd: 'set'; [setting: string]: unknown } | { cmd: 'stats' };

export function relayControl(port: number, command: RelayCommand, boundMs = 2000): Promise<RelayReply> {
  const socket = dgram.createSocket('udp4');
  return new Promise<RelayReply>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay on 127.0.0.1:${port} did not answer within ${boundMs} ms`)), boundMs);
    socket.once('error', (err) => (clearTimeout(timer), reject(err)));
    socket.once('message', (msg) => {
      clearTimeout(timer);
      const reply = JSON.parse(msg.toString()) as RelayReply;
      if (reply.ok) resolve(reply);
      else reject(new Error(`relay refused ${JSON.stringify(command)}: ${reply.error}`));
    });
    socket.send(JSON.stringify(command), port, '127.0.0.1');
  }).finally(() => socket.close());
}
