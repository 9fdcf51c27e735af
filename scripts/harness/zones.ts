/** The sample zones in fixtures/zones/, for tests and scripts (paths work from build/). */
import { loadZone, type Zone } from '../../lib/lab/dns-zone.js';

export function fixtureZone(origin: 'example.test' | 'other.test' | 'bench.test' | 'svc.test'): Zone {
  return loadZone(new URL(`../../../fixtures/zones/${origin}.json`, import.meta.url));
}

export function fixtureZones(): Zone[] {
  return [fixtureZone('example.test'), fixtureZone('other.test')];
}
