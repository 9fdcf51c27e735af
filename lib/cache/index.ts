export { DnsCache } from './cache.js';
export type { CacheStats } from './stats.js';
export type { DnsCacheOptions } from './options.js';
