/** The DNS client's counters, as `DnsClient#stats()` and `Resolver#stats()` report them. */

export interface ClientStats {
  queriesSent: number;
  udpQueries: number;
  tcpQueries: number;
  truncated: number;
  ignoredReplies: number;
  timeouts: number;
  /** Tries sent over DNS over TLS (RFC 7858) and over HTTPS (RFC 8484). */
  dotQueries: number;
  dohQueries: number;
  /** TLS connections to DoT servers and HTTP/2 sessions to DoH servers opened (handshake done). */
  dotConnections: number;
  dohSessions: number;
  /** Connects to DoT/DoH servers given up because the certificate was refused (ECERT). */
  certificateFailures: number;
}

export function emptyClientStats(): ClientStats {
  return {
    queriesSent: 0,
    udpQueries: 0,
    tcpQueries: 0,
    truncated: 0,
    ignoredReplies: 0,
    timeouts: 0,
    dotQueries: 0,
    dohQueries: 0,
    dotConnections: 0,
    dohSessions: 0,
    certificateFailures: 0,
  };
}
