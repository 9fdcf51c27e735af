import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadResolverDir, parseResolverFile } from '../../lib/system/resolver-dir.js';

const DIR = fileURLToPath(new URL('../../../fixtures/resolver/etc-resolver', import.meta.url));

t.test('loadResolverDir: every file of /etc/resolver, in name order, by domain (resolver(5))', async (t) => {
  const domains = await loadResolverDir(DIR);
  const at = (file: string) => join(DIR, file);
  t.same(
    domains,
    [
      {
        domain: 'badport.example',
        servers: [{ address: '10.50.0.1', port: 53, family: 4 }],
        timeout: undefined,
        unsupported: 'port 99999 is not a port number',
        file: at('badport.example'),
      },
      {
        domain: 'corp.example',
        servers: [
          { address: '10.8.0.1', port: 5353, family: 4 },
          { address: 'fd00:8::1', port: 5353, family: 6 },
        ],
        timeout: 3000,
        unsupported: undefined,
        file: at('corp.example'),
      },
      { domain: 'empty.example', servers: [], timeout: undefined, unsupported: 'no nameserver', file: at('empty.example') },
      // The file name is the domain unless a `domain` line says otherwise.
      { domain: 'lab.example', servers: [{ address: '10.20.0.53', port: 53, family: 4 }], timeout: undefined, unsupported: undefined, file: at('lab-file') },
      { domain: 'named.example', servers: [], timeout: undefined, unsupported: 'nameserver resolver.example is not an IP address', file: at('named.example') },
      { domain: 'slow.example', servers: [{ address: '10.40.0.1', port: 53, family: 4 }], timeout: 30_000, unsupported: undefined, file: at('slow.example') },
      {
        domain: 'vpn.test',
        servers: [{ address: '10.30.0.1', port: 53, family: 4 }],
        timeout: undefined,
        unsupported: '"options" is not followed here',
        file: at('vpn.test'),
      },
    ],
    'dot files skipped, an invalid domain dropped, the first file for a domain wins',
  );
});

t.test('loadResolverDir: no directory is no per-domain servers; directories and unreadable entries are skipped', async (t) => {
  t.same(await loadResolverDir('/nonexistent/he-i14/resolver'), []);
  const dir = mkdtempSync(join(tmpdir(), 'he-i14-resolver-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sub.example'));
  writeFileSync(join(dir, 'ok.example'), 'nameserver 127.0.0.1\n');
  t.same(
    (await loadResolverDir(dir)).map((d) => d.domain),
    ['ok.example'],
  );
});

t.test('parseResolverFile: keywords with missing values', async (t) => {
  t.match(parseResolverFile('nameserver\n', 'f', 'a.example'), { unsupported: 'nameserver  is not an IP address' });
  t.match(parseResolverFile('nameserver 127.0.0.1\nport\n', 'f', 'a.example'), { unsupported: 'port  is not a port number' });
  t.match(parseResolverFile('nameserver 127.0.0.1\ntimeout soon\ntimeout\ndomain\n', 'f', 'a.example'), {
    domain: 'a.example',
    timeout: undefined,
    unsupported: undefined,
  });
  t.match(parseResolverFile('nameserver 127.0.0.1\ntimeout 0\n', 'f', 'a.example'), { timeout: 1000 });
  t.match(parseResolverFile('sortlist 10.0.0.0/8\nsearch a b\nnameserver 127.0.0.1\n', 'f', 'a.example'), { unsupported: '"sortlist" is not followed here' });
});
