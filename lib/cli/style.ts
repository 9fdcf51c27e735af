/**
 * Terminal styling for the human output: whether to colour, how wide to draw, and a
 * spinner for the wait. Decisions are pure functions of what the caller passes in
 * (isTTY, env, flags), so main reads `process` once and tests pass plain objects.
 */
import { systemClock, type Clock, type TimerHandle, unrefTimer } from '../clock.js';

export interface StyleOptions {
  /** Whether the output stream is a terminal. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** `--no-color` was given. */
  noColor?: boolean;
  /** The terminal's width, when it is one (`stream.columns`). */
  columns?: number | undefined;
}

type Paint = (text: string) => string;

export interface Style {
  color: boolean;
  /** Columns to draw in. */
  width: number;
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

const DEFAULT_WIDTH = 80;
const MIN_WIDTH = 40;
const MAX_WIDTH = 200;

/**
 * Colour or not, in this order: `--no-color` → off; FORCE_COLOR set → on unless it is
 * `0` or `false` (Node's own rule, which lets it override NO_COLOR); NO_COLOR set and
 * non-empty → off (no-color.org); TERM=dumb → off; otherwise on only on a terminal.
 */
export function colorEnabled(options: StyleOptions): boolean {
  if (options.noColor) return false;
  const force = options.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (options.env.NO_COLOR) return false;
  if (options.env.TERM === 'dumb') return false;
  return options.isTTY;
}

/** The terminal's width; off a terminal COLUMNS, else 80; kept within 40–200. */
export function widthOf(options: StyleOptions): number {
  const fromEnv = Number(options.env.COLUMNS);
  const width = options.isTTY && options.columns ? options.columns : fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.floor(width)));
}

export function makeStyle(options: StyleOptions): Style {
  const color = colorEnabled(options);
  const sgr =
    (open: number, close: number): Paint =>
    (text) =>
      color ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    color,
    width: widthOf(options),
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** stdout or stderr, or what a test captures them with. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface SpinnerStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
}

export interface SpinnerOptions {
  clock?: Clock;
  /** Time between frames, ms (default 80). */
  intervalMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Carriage return, then erase the whole line (ECMA-48 EL 2). */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * Draws `⠋ text` on one line, redrawn every `intervalMs`, until the returned `stop()`,
 * which clears the timer and the line (calling it again does nothing). Off a terminal
 * it draws nothing at all. The timer is unref'd: a forgotten spinner never keeps the
 * process alive.
 */
export function startSpinner(stream: SpinnerStream, text: string, options: SpinnerOptions = {}): () => void {
  if (!stream.isTTY) return () => {};
  const clock = options.clock ?? systemClock;
  const interval = options.intervalMs ?? 80;
  let frame = 0;
  let timer: TimerHandle | undefined;
  const draw = (): void => {
    stream.write(`${CLEAR_LINE}${FRAMES[frame % FRAMES.length]} ${text}`);
    frame += 1;
    timer = clock.setTimeout(draw, interval);
    unrefTimer(timer);
  };
  draw();
  return () => {
    if (timer === undefined) return;
    clock.clearTimeout(timer);
    timer = undefined;
    stream.write(CLEAR_LINE);
  };
}
