/**
 * RFC 8305 §4: after sorting, interleave the address families so that a broken
 * family costs one Connection Attempt Delay, not one per address of that family.
 */
import { InvalidArgumentError } from '../errors.js';

/**
 * RFC 8305 §4: interleave families, leading with `firstAddressFamilyCount` addresses
 * of the family of the first (most preferred) address, then alternating one by one.
 * Stable within a family. When one family runs out, the rest of the other follows.
 * @param firstAddressFamilyCount a positive integer; default 1 (RFC 8305 §8)
 */
export function interleave<T extends { family: 4 | 6 }>(sorted: readonly T[], firstAddressFamilyCount = 1): T[] {
  if (!Number.isInteger(firstAddressFamilyCount) || firstAddressFamilyCount < 1) {
    throw new InvalidArgumentError('firstAddressFamilyCount', firstAddressFamilyCount, 'a positive integer');
  }
  const first = sorted[0];
  if (first === undefined) return [];
  const preferred = sorted.filter((d) => d.family === first.family);
  const other = sorted.filter((d) => d.family !== first.family);
  const result = preferred.splice(0, firstAddressFamilyCount);
  // Alternate, starting with the other family; splice(0, 1) is empty once a list runs out.
  while (preferred.length > 0 || other.length > 0) {
    result.push(...other.splice(0, 1), ...preferred.splice(0, 1));
  }
  return result;
}
