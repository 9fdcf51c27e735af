// Moved to lib/lab (the CLI demo runs it too); this path stays for the tests.
export * from '../../lib/lab/dns-zone.js';
