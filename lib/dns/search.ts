/**
 * Search-list expansion as glibc's res_search does it (resolv.conf(5)):
 * - a trailing dot makes the name absolute: it alone is asked;
 * - a name with at least `ndots` dots is asked as is first, then with each search domain;
 * - a name with fewer dots is asked with each search domain first, then as is.
 * Returned names carry no trailing dot.
 */
export interface SearchConfig {
  search: readonly string[];
  ndots: number;
}

export function searchCandidates(name: string, config: SearchConfig): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = name.split('.').length - 1;
  const suffixed = config.search.map((domain) => `${name}.${stripDot(domain)}`);
  return dots >= config.ndots ? [name, ...suffixed] : [...suffixed, name];
}

function stripDot(domain: string): string {
  return domain.endsWith('.') ? domain.slice(0, -1) : domain;
}
