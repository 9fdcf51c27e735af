// Moved to lib/lab (the CLI demo runs it too); this path stays for the tests.
export * from '../../scripts/harness/dns-forgery.js';
