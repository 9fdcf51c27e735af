/**
 * One case of the glibc differential suite: the files both resolvers read, what the
 * loopback DNS servers hold and how they misbehave, and the one getaddrinfo call asked.
 * Plain data, so the runner inside the namespace and the test outside share it.
 */
import type { Behaviour } from '../../lib/lab/dns-reply.js';

type RecordSpec = [name: string, type: 'A' | 'AAAA' | 'CNAME', data: string | string[]];

interface BehaviourSpec {
  /** Index into `servers`. @default 0 */
  server?: number;
  name: string;
  /** 'A', 'AAAA' or '*'. */
  type: string;
  behaviour: Behaviour;
}

export interface GlibcCase {
  name: string;
  /** resolv.conf without the sentinel line (the runner adds it). */
  resolvConf: string;
  /** @default '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' */
  hosts?: string;
  /** @default '' (glibc's built-in tables) */
  gaiConf?: string;
  /** LOCALDOMAIN, RES_OPTIONS: set for both resolvers. */
  env?: Record<string, string>;
  /** Served by every server from a root zone; any other name is NXDOMAIN. */
  records?: RecordSpec[];
  behaviours?: BehaviourSpec[];
  /** Loopback addresses DNS servers listen on, port 53; resolv.conf may name others (nobody listens: ECONNREFUSED). @default ['127.0.0.1'] */
  servers?: string[];
  /**
   * Addresses (CIDR) put on a veth pair inside the namespace, for AI_ADDRCONFIG and
   * sorting; `'link-local'` keeps the kernel's fe80:: address, which is otherwise switched
   * off when no IPv6 address is listed. @default none
   */
  interfaces?: string[];
  /** Routes added after the addresses, e.g. 'default dev hei13a'. */
  routes?: string[];
  ask: { host: string; family?: 0 | 4 | 6; flags?: Array<'ADDRCONFIG' | 'V4MAPPED' | 'ALL'> };
  /** Compare the order of the addresses too (gai.conf cases), not only the set. */
  order?: boolean;
  /** Why the two resolvers differ here on purpose: the README's "Differences from getaddrinfo" row. */
  deliberate?: string;
}

/** What one resolver did for one case. */
export interface Observed {
  /** 'ok' or the error class (see outcome.ts). */
  outcome: string;
  /** As returned: `family address`. */
  addresses: string[];
  /** The raw error (EAI_* name or Node code), for the report. */
  error?: string;
  /** The names asked, in order, each with the set of types asked for it (see steps.ts). */
  steps: string[];
}

export interface CaseResult {
  name: string;
  glibc: Observed;
  ours: Observed;
  /** A failure of the harness itself (a server that could not start, a probe that refused). */
  harnessError?: string;
  /** How long the case took, both resolvers. */
  ms?: number;
}
