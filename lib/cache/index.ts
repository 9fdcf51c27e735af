export { DnsCache, type CacheStats, type Fetch } from './cache.js';
export type { DnsCacheOptions } from './options.js';
