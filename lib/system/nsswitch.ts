/**
 * The `hosts:` line of /etc/nsswitch.conf, as glibc reads it (nsswitch.conf(5)): the
 * sources getaddrinfo asks in order, each with its `[STATUS=action]` items. A status is
 * `success`, `notfound`, `unavail` or `tryagain`; an action `return`, `continue` (or
 * `merge`, meant for groups); `!STATUS=action` applies to every other status; case does
 * not matter. Without items a source returns on success and continues otherwise.
 *
 * Where we differ: a line we cannot parse (an unclosed `[`, an unknown status or action)
 * is kept as `malformed`, and the router then leaves every name to getaddrinfo rather
 * than guess what glibc made of it; of several `hosts:` lines the first counts.
 * Also read: whether /etc/mdns.allow exists (beside nsswitch.conf), which lets the
 * full `mdns*` modules answer names outside `.local` (nss-mdns README).
 */
import { dirname, join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { WatchedFile, type HostsFs } from './watched-file.js';

export type NssStatus = 'success' | 'notfound' | 'unavail' | 'tryagain';
export type NssAction = 'return' | 'continue' | 'merge';

export interface NssSource {
  /** As written: `files`, `dns`, `myhostname`, `mdns4_minimal`, `resolve`, `ldap`… */
  name: string;
  /** What glibc does after this source ends with each status (defaults filled in). */
  actions: Readonly<Record<NssStatus, NssAction>>;
}

export interface NssHosts {
  /** `undefined` when the file is missing or has no `hosts:` line. */
  sources: readonly NssSource[] | undefined;
  /** The `hosts:` line could not be parsed (its text). */
  malformed?: string | undefined;
  /** /etc/mdns.allow exists. */
  mdnsAllow: boolean;
}

const STATUSES: readonly NssStatus[] = ['success', 'notfound', 'unavail', 'tryagain'];
const DEFAULT_ACTIONS: Readonly<Record<NssStatus, NssAction>> = Object.freeze({
  success: 'return',
  notfound: 'continue',
  unavail: 'continue',
  tryagain: 'continue',
});

/** The sources of the first `hosts:` line (`undefined` when there is none). */
export function parseNsswitch(text: string): Pick<NssHosts, 'sources' | 'malformed'> {
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    const match = /^hosts[ \t]*:(.*)$/.exec(line);
    if (!match) continue;
    const sources = parseSources(match[1] as string);
    return sources === undefined ? { sources: [], malformed: line } : { sources };
  }
  return { sources: undefined };
}

/** `files mdns4_minimal [NOTFOUND=return] dns`; `undefined` when malformed. */
function parseSources(text: string): NssSource[] | undefined {
  const sources: NssSource[] = [];
  // A source name, or a bracketed list of action items.
  const tokens = text.match(/\[[^\]]*\]?|[^\s[]+/g) ?? [];
  for (const token of tokens) {
    if (!token.startsWith('[')) {
      sources.push({ name: token, actions: DEFAULT_ACTIONS });
      continue;
    }
    const last = sources.at(-1);
    if (!token.endsWith(']') || last === undefined) return undefined;
    const actions = parseActions(token.slice(1, -1), last.actions);
    if (actions === undefined) return undefined;
    last.actions = actions;
  }
  return sources;
}

/** `NOTFOUND=return !UNAVAIL=continue` on top of `base`; `undefined` when malformed. */
function parseActions(text: string, base: Readonly<Record<NssStatus, NssAction>>): Record<NssStatus, NssAction> | undefined {
  const actions = { ...base };
  const items = text
    .replace(/\s*=\s*/g, '=')
    .split(/\s+/)
    .filter((item) => item !== '');
  if (items.length === 0) return undefined;
  for (const item of items) {
    const match = /^(!?)([a-z]+)=([a-z]+)$/i.exec(item);
    const status = match?.[2]?.toLowerCase() as NssStatus;
    const action = match?.[3]?.toLowerCase() as NssAction;
    if (!match || !STATUSES.includes(status) || !['return', 'continue', 'merge'].includes(action)) return undefined;
    for (const s of match[1] === '!' ? STATUSES.filter((other) => other !== status) : [status]) actions[s] = action;
  }
  return actions;
}

export interface NsswitchFileOptions {
  /** @default '/etc/nsswitch.conf' */
  path?: string | undefined;
  /** Only `now()` is used. @default systemClock */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Milliseconds between two checks of the files. @default 1000 */
  checkInterval?: number | undefined;
  /** @default node:fs (files.ts) */
  fs?: HostsFs | undefined;
}

/** nsswitch.conf and mdns.allow, re-read when they change (at most one check a second). */
export class NsswitchFile {
  readonly path: string;
  readonly #conf: WatchedFile<Pick<NssHosts, 'sources' | 'malformed'>>;
  readonly #allow: WatchedFile<boolean>;
  /** The last value handed out, so an unchanged configuration is the same object. */
  #last: NssHosts | undefined;

  constructor(options: NsswitchFileOptions = {}) {
    const { path = '/etc/nsswitch.conf', clock = systemClock, checkInterval = 1000, fs } = options;
    this.path = path;
    const common = { clock, checkInterval, fs };
    this.#conf = new WatchedFile({ path, option: 'nsswitch', parse: parseNsswitch, ...common });
    // Only whether mdns.allow exists counts here (route.ts).
    this.#allow = new WatchedFile({ path: join(dirname(path), 'mdns.allow'), option: 'nsswitch', parse: (_text, exists) => exists, ...common });
  }

  async read(): Promise<NssHosts> {
    const [conf, mdnsAllow] = await Promise.all([this.#conf.current(), this.#allow.current()]);
    return this.#combine(conf, mdnsAllow);
  }

  #combine(conf: Pick<NssHosts, 'sources' | 'malformed'>, mdnsAllow: boolean): NssHosts {
    const last = this.#last;
    if (last !== undefined && last.sources === conf.sources && last.malformed === conf.malformed && last.mdnsAllow === mdnsAllow) return last;
    this.#last = { ...conf, mdnsAllow };
    return this.#last;
  }
}
