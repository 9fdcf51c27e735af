import t from 'tap';
import { FrameReader, lengthPrefixed } from '../../lib/dns/tcp.js';

const frames = [Buffer.from('first frame'), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from('x')];
const stream = Buffer.concat(frames.map(lengthPrefixed));

/** Splits `bytes` at the given offsets. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [0, ...cuts, bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

const chunkings: Array<{ what: string; chunks: Buffer[] }> = [
  { what: 'all frames in one chunk', chunks: [stream] },
  {
    what: 'one byte at a time',
    chunks: split(
      stream,
      Array.from({ length: stream.length - 1 }, (_, i) => i + 1),
    ),
  },
  { what: 'split inside a length prefix', chunks: split(stream, [1, 14, 15]) },
  { what: 'split inside a frame body', chunks: split(stream, [5, 100, 200]) },
  { what: 'chunk boundaries on frame boundaries', chunks: split(stream, [13, 15, 317]) },
];

for (const c of chunkings) {
  t.test(`FrameReader: ${c.what}`, async (t) => {
    const reader = new FrameReader();
    const out = c.chunks.flatMap((chunk) => reader.push(chunk));
    t.same(
      out.map((f) => f.toString('hex')),
      frames.map((f) => f.toString('hex')),
    );
  });
}

t.test('FrameReader holds an incomplete frame until the rest comes', async (t) => {
  const reader = new FrameReader();
  t.same(reader.push(Buffer.from([0x00])), []);
  t.same(reader.push(Buffer.from([0x03, 0x61])), []);
  t.same(reader.push(Buffer.from([0x62, 0x63, 0x00])), [Buffer.from('abc')]);
  t.same(reader.push(Buffer.from([0x01, 0x7a])), [Buffer.from('z')]);
});

t.test('a maximal 65535-byte frame trickled in small chunks is joined once', async (t) => {
  const big = Buffer.alloc(0xffff, 0xab);
  const framed = lengthPrefixed(big);
  const reader = new FrameReader();
  const out: Buffer[] = [];
  for (let i = 0; i < framed.length; i += 7) out.push(...reader.push(framed.subarray(i, i + 7)));
  t.equal(out.length, 1);
  t.ok(out[0]!.equals(big));
});
