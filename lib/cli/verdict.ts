/**
 * The probe's one-word verdict and the exit status, as pure functions of what the
 * report holds. A family counts as reachable only if it had addresses: "reachable
 * without addresses" cannot happen, and is read as not reachable rather than trusted.
 */
import type { FamilyKey, ProbeReport, ResolveReport, Verdict } from './probe-report.js';

/** What the verdict needs to know of one family. */
export interface FamilyEvidence {
  /** DNS (or the IP literal) gave at least one address of this family. */
  hasAddresses: boolean;
  /** At least one connection to an address of this family succeeded. */
  reachable: boolean;
}

export const EXIT_REACHABLE = 0;
export const EXIT_UNREACHABLE = 1;
export const EXIT_USAGE = 2;

/**
 * - `dual-stack`: both families have addresses and both are reachable;
 * - `ipv4-only` / `ipv6-only`: only that family has addresses, and it is reachable;
 * - `ipv6-broken` / `ipv4-broken`: that family has addresses but none is reachable,
 *   while the other family is reachable;
 * - `unreachable`: no family is reachable (including no addresses at all).
 */
export function verdictOf(families: Record<FamilyKey, FamilyEvidence>): Verdict {
  const v6 = families.ipv6.hasAddresses && families.ipv6.reachable;
  const v4 = families.ipv4.hasAddresses && families.ipv4.reachable;
  if (v6 && v4) return 'dual-stack';
  if (v4) return families.ipv6.hasAddresses ? 'ipv6-broken' : 'ipv4-only';
  if (v6) return families.ipv4.hasAddresses ? 'ipv4-broken' : 'ipv6-only';
  return 'unreachable';
}

/** The verdict of a report's `dns` and `families` (what the probe fills in last). */
export function verdictOfReport(report: Pick<ProbeReport, 'dns' | 'families'>): Verdict {
  const evidence = (family: FamilyKey): FamilyEvidence => ({
    hasAddresses: report.dns[family].addresses.length > 0,
    reachable: report.families[family].reachable,
  });
  return verdictOf({ ipv6: evidence('ipv6'), ipv4: evidence('ipv4') });
}

/** One line for people, after the verdict word. */
export function describeVerdict(verdict: Verdict): string {
  switch (verdict) {
    case 'dual-stack':
      return 'IPv6 and IPv4 both work';
    case 'ipv4-only':
      return 'no IPv6 addresses; IPv4 works';
    case 'ipv6-only':
      return 'no IPv4 addresses; IPv6 works';
    case 'ipv6-broken':
      return 'IPv6 addresses found but none reachable; IPv4 works';
    case 'ipv4-broken':
      return 'IPv4 addresses found but none reachable; IPv6 works';
    case 'unreachable':
      return 'no address could be reached';
  }
}

/** 0 when a connection was made (a winner, or any family reachable), else 1. */
export function probeExitCode(report: Pick<ProbeReport, 'winner' | 'families'>): number {
  const reachable = report.winner !== null || report.families.ipv6.reachable || report.families.ipv4.reachable;
  return reachable ? EXIT_REACHABLE : EXIT_UNREACHABLE;
}

/** 0 when either family has an address, else 1. */
export function resolveExitCode(report: ResolveReport): number {
  return report.ipv6.addresses.length + report.ipv4.addresses.length > 0 ? EXIT_REACHABLE : EXIT_UNREACHABLE;
}
