/** The QNAME of an HTTPS question (RFC 9460 §9.1). */
import { InvalidArgumentError } from '../errors.js';

/**
 * `host` itself for port 443, else `_PORT._https.host` (Port Prefix Naming, §2.3):
 * `httpsQueryName('example.com', 8443)` is `'_8443._https.example.com'`.
 */
export function httpsQueryName(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new InvalidArgumentError('port', port, 'an integer from 0 to 65535');
  return port === 443 ? host : `_${port}._https.${host}`;
}
