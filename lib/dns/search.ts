/**
 * Search-list expansion as glibc's res_search (__res_context_search, resolv/res_query.c)
 * does it, resolv.conf(5):
 * - a trailing dot makes the name absolute: it alone is asked;
 * - a name with at least `ndots` dots is asked as is first, then with each search domain;
 * - a name with fewer dots is asked with each search domain first, then as is, unless
 *   `no-tld-query` is set and it has no dot at all;
 * - the root domain `.` in the list asks the name itself at its place, and then the name
 *   is not asked again at the end (but it may already have been asked first).
 * Returned names carry no trailing dot. How a failure of each name is taken is the
 * search walk's business (lib/dns/search-walk.ts).
 */
export interface SearchConfig {
  search: readonly string[];
  ndots: number;
  /** resolv.conf `no-tld-query`. @default false */
  noTldQuery?: boolean;
}

/** The names res_search asks for one name, in three parts that end differently. */
export interface SearchPlan {
  /** Asked first: an absolute name (its only name), or one with `ndots` dots or more. */
  first: string | undefined;
  /** The name with each search domain, in order (the root entry: the name itself). */
  domains: string[];
  /** The name as given, asked after the domains when it was not asked yet. */
  last: string | undefined;
  /** The name ended in a dot: `first` is all. */
  absolute: boolean;
}

const ROOT = '.';

export function searchPlan(name: string, config: SearchConfig): SearchPlan {
  if (name.endsWith('.')) return { first: name.slice(0, -1), domains: [], last: undefined, absolute: true };
  const dots = countDots(name);
  const first = dots >= config.ndots ? name : undefined;
  const domains = config.search.map((domain) => (domain === ROOT ? name : `${name}.${stripDot(domain)}`));
  const rootOnList = config.search.includes(ROOT);
  const searched = domains.length > 0;
  const allowed = dots > 0 || !searched || config.noTldQuery !== true;
  const last = allowed && first === undefined && !rootOnList ? name : undefined;
  return { first, domains, last, absolute: false };
}

/** Every name the plan may ask, in order (when none of them fails in a way that stops early). */
export function searchCandidates(name: string, config: SearchConfig): string[] {
  const plan = searchPlan(name, config);
  return [...(plan.first === undefined ? [] : [plan.first]), ...plan.domains, ...(plan.last === undefined ? [] : [plan.last])];
}

function countDots(name: string): number {
  let dots = 0;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 0x2e) dots++;
  return dots;
}

function stripDot(domain: string): string {
  return domain.endsWith('.') ? domain.slice(0, -1) : domain;
}
