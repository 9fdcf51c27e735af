import t from 'tap';
import { caught } from '../helpers/caught.js';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { InvalidArgumentError } from '../../lib/errors.js';
import { isLoopback, isV4Mapped, parseIpLiteral, stripZone, toBytes16 } from '../../lib/system/ip.js';

const literals: Array<[string, { address: string; family: 4 | 6 } | undefined]> = [
  ['192.0.2.1', { address: '192.0.2.1', family: 4 }],
  ['0.0.0.0', { address: '0.0.0.0', family: 4 }],
  ['255.255.255.255', { address: '255.255.255.255', family: 4 }],
  ['2001:db8::1', { address: '2001:db8::1', family: 6 }],
  ['2001:DB8::A', { address: '2001:DB8::A', family: 6 }],
  ['::', { address: '::', family: 6 }],
  ['[2001:db8::1]', { address: '2001:db8::1', family: 6 }],
  ['fe80::1%eth0', { address: 'fe80::1%eth0', family: 6 }],
  ['[fe80::1%eth0]', { address: 'fe80::1%eth0', family: 6 }],
  ['::ffff:192.0.2.1', { address: '::ffff:192.0.2.1', family: 6 }],
  ['1:2:3:4:5:6:7:8', { address: '1:2:3:4:5:6:7:8', family: 6 }],
  ['', undefined],
  ['localhost', undefined],
  ['example.com', undefined],
  ['127.1', undefined],
  ['01.2.3.4', undefined],
  ['0x7f.0.0.1', undefined],
  ['256.0.0.1', undefined],
  ['1.2.3.4.', undefined],
  [' 1.2.3.4', undefined],
  ['1.2.3.4:80', undefined],
  ['[1.2.3.4]', undefined],
  ['[::1]:53', undefined],
  ['[::1', undefined],
  ['[192.0.2.1:53]', undefined],
  ['::1]', undefined],
  ['1::2::3', undefined],
  ['1:2:3:4:5:6:7:8:9', undefined],
  ['fe80::1%', undefined],
  ['fe80::1%eth 0', undefined],
];

for (const [input, want] of literals) {
  t.test(`parseIpLiteral(${JSON.stringify(input)})`, async (t) => {
    t.same(parseIpLiteral(input), want);
  });
}

t.test('parseIpLiteral refuses non-strings without throwing', async (t) => {
  for (const value of [undefined, null, 1, {}, ['::1']]) t.equal(parseIpLiteral(value as unknown as string), undefined);
});

t.test('stripZone', async (t) => {
  t.equal(stripZone('fe80::1%eth0'), 'fe80::1');
  t.equal(stripZone('fe80::1'), 'fe80::1');
  t.equal(stripZone('192.0.2.1'), '192.0.2.1');
});

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const bytesCases: Array<[string, string]> = [
  ['192.0.2.1', '00000000000000000000ffffc0000201'],
  ['0.0.0.0', '00000000000000000000ffff00000000'],
  ['::', '00000000000000000000000000000000'],
  ['::1', '00000000000000000000000000000001'],
  ['[::1]', '00000000000000000000000000000001'],
  ['1::', '00010000000000000000000000000000'],
  ['2001:db8::1', '20010db8000000000000000000000001'],
  ['2001:DB8:0:0:1::2', '20010db8000000000001000000000002'],
  ['fe80::1%eth0', 'fe800000000000000000000000000001'],
  ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
  ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
  ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
  ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
];

for (const [input, want] of bytesCases) {
  t.test(`toBytes16(${input})`, async (t) => {
    const bytes = toBytes16(input);
    t.equal(bytes.length, 16);
    t.equal(hex(bytes), want);
  });
}

t.test('toBytes16 throws InvalidArgumentError for a non-address', async (t) => {
  for (const value of ['example.com', '1.2.3', '[1.2.3.4]', '']) {
    const err = caught(() => toBytes16(value));
    t.type(err, InvalidArgumentError);
    t.match(err, { option: 'address', value });
  }
});

t.test('toBytes16 agrees with URL host parsing for every IPv6 form (property)', async (t) => {
  const groupsOf = (bytes: Uint8Array): string[] => Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16));
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 16 }), (raw, zeroed) => {
      const bytes = Uint8Array.from(raw);
      for (const i of zeroed) bytes[i] = 0; // runs of zero groups exercise `::`
      const full = groupsOf(bytes).join(':');
      const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
      const dotted = `${groupsOf(bytes).slice(0, 6).join(':')}:${Array.from(bytes.slice(12)).join('.')}`;
      for (const form of [full, compressed, dotted, `${compressed}%eth0`]) {
        if (hex(toBytes16(form)) !== hex(bytes)) throw new Error(`${form} → ${hex(toBytes16(form))}, want ${hex(bytes)}`);
      }
    }),
    { numRuns: 500 },
  );
  t.pass('500 random addresses in four forms each');
});

const loopbackCases: Array<[string, boolean]> = [
  ['127.0.0.1', true],
  ['127.255.255.254', true],
  ['127.0.1.1', true],
  ['::1', true],
  ['[::1]', true],
  ['0:0:0:0:0:0:0:1', true],
  ['::ffff:127.0.0.1', true],
  ['128.0.0.1', false],
  ['126.255.255.255', false],
  ['::', false],
  ['::2', false],
  ['1::1', false],
  ['::ffff:192.0.2.1', false],
  ['::127.0.0.1', false],
  ['fe80::1%lo', false],
  ['localhost', false],
  ['', false],
  ['127.1', false],
  ['127.0.0.256', false],
  ['0:0:0:0:0:0:0:2', false],
];

for (const [input, want] of loopbackCases) {
  t.test(`isLoopback(${JSON.stringify(input)}) = ${want}`, async (t) => {
    t.equal(isLoopback(input), want);
  });
}

t.test('isV4Mapped checks the ::ffff:0:0/96 prefix', async (t) => {
  t.equal(isV4Mapped(toBytes16('192.0.2.1')), true);
  t.equal(isV4Mapped(toBytes16('::ffff:1.2.3.4')), true);
  t.equal(isV4Mapped(toBytes16('::fffe:1.2.3.4')), false);
  t.equal(isV4Mapped(toBytes16('::1:ffff:1.2.3.4')), false);
  t.equal(isV4Mapped(toBytes16('2001:db8::ffff:1.2.3.4')), false);
});

t.test('toBytes16 takes plain hex forms without isIP, and accepts exactly what isIP accepts (property)', async (t) => {
  // Strings over the plain-form alphabet, many of them malformed (':::', 5-digit groups, 9 groups).
  const text = fc
    .array(fc.oneof(fc.constantFrom(':', '::', ':::'), fc.stringMatching(/^[0-9a-fA-F]{0,5}$/)), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join(''));
  const groupsOf = (bytes: Uint8Array): number[] => Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  fc.assert(
    fc.property(text, (s) => {
      const valid = isIP(s) === 6;
      let bytes: Uint8Array | undefined;
      try {
        bytes = toBytes16(s);
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err;
      }
      if (valid !== (bytes !== undefined)) throw new Error(`${s}: isIP says ${valid}, toBytes16 ${bytes ? 'parsed it' : 'threw'}`);
      // The URL parser as the reference for the bytes of a valid one.
      if (
        bytes &&
        new URL(`http://[${s}]/`).hostname !==
          `[${new URL(
            `http://[${groupsOf(bytes)
              .map((g) => g.toString(16))
              .join(':')}]/`,
          ).hostname.slice(1, -1)}]`
      ) {
        throw new Error(`${s}: wrong bytes ${hex(bytes)}`);
      }
    }),
    { numRuns: 3000 },
  );
  for (const [s, want] of [
    ['::', '00000000000000000000000000000000'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['1::8', '00010000000000000000000000000008'],
    ['FFFF:0:0:0:0:0:0:1', 'ffff0000000000000000000000000001'],
  ] as const) {
    t.equal(hex(toBytes16(s)), want, s);
  }
  for (const bad of ['1:2:3:4:5:6:7:8::', ':::', '1:2', '12345::', ':1::', '1::2::3']) t.throws(() => toBytes16(bad), InvalidArgumentError, bad);
});
