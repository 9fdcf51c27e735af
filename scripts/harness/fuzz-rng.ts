/**
 * A seeded PRNG for the fuzzers (sfc32, seeded through splitmix32). Each input gets its
 * own generator from (seed, target, index), so any one input is rebuilt from those three
 * numbers alone: a failure prints them and `scripts/fuzz.ts --seed S --target T --index I`
 * replays it. Not for anything secret.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(...keys: number[]) {
    let h = 0x9e3779b9;
    for (const key of keys) h = splitmix(h ^ Math.imul(key | 0, 0x85ebca6b));
    this.#a = h = splitmix(h);
    this.#b = h = splitmix(h);
    this.#c = h = splitmix(h);
    this.#d = splitmix(h);
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** 32 random bits, unsigned. */
  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) + t;
    this.#c |= 0;
    return t >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

function splitmix(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A short stable number for a target's name, to key its generators. */
export function nameKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
