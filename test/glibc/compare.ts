/**
 * How the two resolvers' results are put side by side.
 *
 * Outcome classes: getaddrinfo's EAI_* codes and our Node-style codes name the same
 * situations differently. EAI_NONAME ↔ ENOTFOUND (the name does not exist anywhere
 * asked), EAI_NODATA ↔ ENODATA (it exists, without an address asked for), EAI_AGAIN ↔
 * the servers failed (ETIMEOUT, ESERVFAIL, EREFUSED, ECONNREFUSED, EBADRESP: glibc's
 * TRY_AGAIN), EAI_FAIL ↔ a name that cannot be asked (EBADNAME: NO_RECOVERY).
 *
 * Steps: glibc sends A and AAAA for one name together on one socket, in either order, and
 * may repeat them (attempts, servers); we send them as two queries that may interleave.
 * So the server's log is cut into runs of one name, and each run becomes `name:TYPES`
 * with the set of types asked (sorted). The sequence of runs is compared, which is the
 * order of the names tried and, for each, which types were asked; not how often. A run
 * that used TCP says so (`/tcp` alone, `/tcp,udp` after truncation).
 */
import type { SeenQuery } from '../../lib/lab/dns-server.js';

const GLIBC_CLASSES: Readonly<Record<string, string>> = {
  EAI_NONAME: 'noname',
  EAI_NODATA: 'nodata',
  EAI_AGAIN: 'again',
  EAI_FAIL: 'fail',
};

const OUR_CLASSES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'noname',
  ENODATA: 'nodata',
  ETIMEOUT: 'again',
  ESERVFAIL: 'again',
  ECONNREFUSED: 'again',
  EREFUSED: 'again',
  EBADRESP: 'again',
  EBADNAME: 'fail',
};

export function glibcOutcome(error: string | undefined): string {
  return error === undefined ? 'ok' : (GLIBC_CLASSES[error] ?? error);
}

export function ourOutcome(code: string | undefined): string {
  return code === undefined ? 'ok' : (OUR_CLASSES[code] ?? code);
}

/** The log of every server, by arrival, as runs of one name: `['h.s1:A,AAAA', 'h:A']`. */
export function steps(queries: readonly SeenQuery[]): string[] {
  const ordered = [...queries].sort((a, b) => a.at - b.at);
  const runs: Array<{ name: string; types: Set<string>; transports: Set<string> }> = [];
  for (const q of ordered) {
    const last = runs[runs.length - 1];
    if (last && last.name === q.name) {
      last.types.add(q.type);
      last.transports.add(q.transport);
    } else {
      runs.push({ name: q.name, types: new Set([q.type]), transports: new Set([q.transport]) });
    }
  }
  return runs.map((run) => {
    const transports = [...run.transports].sort().join(',');
    return `${run.name}:${[...run.types].sort().join(',')}${transports === 'udp' ? '' : `/${transports}`}`;
  });
}
