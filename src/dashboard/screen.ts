/**
 * The live view: a frame about every `intervalMs`, drawn in place on a terminal (the alternate
 * screen, cursor home, each line cleared to its end, the rest of the screen cleared) and redrawn
 * at once when the terminal is resized. q or Ctrl-C (the terminal is in raw mode, so Ctrl-C
 * arrives as a key), SIGINT, SIGTERM or SIGHUP end it, and the terminal is given back as it was:
 * main screen, cursor shown, cooked mode. Not on a terminal, frames are printed one after the
 * other, separated by a blank line.
 */
import type { Snapshot } from './types.js';

export interface LiveOptions {
  intervalMs: number;
  /** Gathers the next snapshot. */
  collect(): Promise<Snapshot>;
  /** The lines of a frame for the terminal's size (Infinity when not a terminal). */
  render(snapshot: Snapshot, width: number, height: number): string[];
  out: NodeJS.WriteStream;
  input: NodeJS.ReadStream;
  /** Aborted when the view ends, so work in flight can stop. */
  stop: AbortController;
}

const ENTER = '\x1b[?1049h\x1b[?25l'; // alternate screen, hide the cursor
const LEAVE = '\x1b[?25h\x1b[?1049l'; // show the cursor, main screen
const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

export async function runLive(options: LiveOptions): Promise<void> {
  const { out, input, stop } = options;
  const tty = out.isTTY === true;
  let last: Snapshot | undefined;
  const size = () => (tty ? { width: out.columns || 80, height: out.rows || 24 } : { width: Infinity, height: Infinity });
  const draw = () => {
    if (!last) return;
    const { width, height } = size();
    const lines = options.render(last, width, height);
    // Raw mode turns off the terminal's newline translation: \r\n, not \n.
    if (tty) out.write(`${HOME}${lines.map((l) => l + CLEAR_LINE_END).join('\r\n')}${CLEAR_BELOW}`);
    else out.write(`${lines.join('\n')}\n\n`);
  };

  const end = () => stop.abort();
  const onKey = (data: Buffer) => {
    const key = data.toString();
    if (key === 'q' || key === 'Q' || key.includes('\x03')) end();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, end);
  if (tty) {
    // The first frame waits for every first health check (up to a probe's timeout): say so meanwhile.
    out.write(`${ENTER}${HOME}faultline dashboard · gathering the first snapshot…${CLEAR_LINE_END}${CLEAR_BELOW}`);
    out.on('resize', draw);
  }
  const keys = input.isTTY === true;
  if (keys) {
    input.setRawMode(true);
    input.on('data', onKey);
    input.resume();
  }
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    while (!stop.signal.aborted) {
      const started = performance.now();
      const pending = options.collect();
      pending.catch(() => undefined); // still settling when the view ends: nobody waits for it then
      const next = await Promise.race([pending, stopped]);
      if (!next) break;
      last = next;
      draw();
      const wait = Math.max(0, options.intervalMs - (performance.now() - started));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, wait))), stopped]);
      clearTimeout(timer);
    }
  } finally {
    for (const s of signals) process.off(s, end);
    if (keys) {
      input.off('data', onKey);
      input.setRawMode(false);
      input.pause();
    }
    if (tty) {
      out.off('resize', draw);
      out.write(LEAVE);
    }
  }
}
