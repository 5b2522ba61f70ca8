/**
 * The game day's control channel: HTTP over a Unix socket at `<state dir>/gameday/control.sock`,
 * which only users who can write the state dir can reach. `faultline gameday ctl` sends one
 * command (next, skip, pause, resume, abort, note, status) and prints the reply. One game day per
 * state dir: a live socket refuses a second, a stale one (from a crash) is replaced.
 */
import { mkdir, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { UsageError } from '../errors/index.js';

export const COMMANDS = ['next', 'skip', 'pause', 'resume', 'abort', 'note', 'status'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface Command {
  name: CommandName;
  /** `note`: its text. */
  text?: string;
  /** Who sent it (ctl's --by, else the user name). */
  by?: string;
  /** `console` (the keyboard) or `ctl`. */
  from: 'console' | 'ctl';
}

export interface Reply {
  ok: boolean;
  message: string;
  state: DayState;
}

export interface DayState {
  phase: 'waiting' | 'running' | 'paused' | 'ended';
  title: string;
  /** 1-based position of the experiment running or next up; total planned. */
  position: number;
  total: number;
  current?: string;
  next?: string;
  /** paused while a run goes on: hold once it ends. */
  holdAfterCurrent?: boolean;
  /** auto mode: when the next one starts. */
  startsAt?: string;
  outDir: string;
}

/** Unix socket paths are limited to 107 bytes on Linux. */
const MAX_SOCKET_PATH = 107;

export function controlSocketPath(stateDir: string): string {
  return join(stateDir, 'gameday', 'control.sock');
}

export async function startControlServer(stateDir: string, handle: (c: Command) => Reply): Promise<{ path: string; close(): Promise<void> }> {
  const path = controlSocketPath(stateDir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new UsageError(`the game day's control socket ${path} is longer than the ${MAX_SOCKET_PATH} bytes a Unix socket path may have; use a shorter --state-dir`);
  }
  await mkdir(join(stateDir, 'gameday'), { recursive: true });
  if (await answers(path)) throw new UsageError(`a game day is already running with this state dir (its control socket ${path} answers); \`faultline gameday ctl status\` shows it`);
  await rm(path, { force: true }); // stale: left by a game day that crashed
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      let reply: Reply;
      try {
        const c = JSON.parse(body) as Partial<Command>;
        if (!COMMANDS.includes(c.name as CommandName)) throw new Error(`unknown command ${JSON.stringify(c.name)}: expected one of ${COMMANDS.join(', ')}`);
        reply = handle({ name: c.name!, from: 'ctl', ...(typeof c.text === 'string' ? { text: c.text } : {}), ...(typeof c.by === 'string' ? { by: c.by } : {}) });
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    path,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(path, { force: true });
    },
  };
}

/** Sends one command to the game day running with this state dir. */
export async function sendCommand(stateDir: string, command: Omit<Command, 'from'>): Promise<Reply> {
  const path = controlSocketPath(stateDir);
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ socketPath: path, path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new UsageError(`the game day refused the command: ${body}`));
        resolve(JSON.parse(body) as Reply);
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer from the game day within 10 s')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        reject(new UsageError(`no game day is running with the state dir ${stateDir} (no control socket answers at ${path}); start one with \`faultline gameday PLAN\`, or pass the same --state-dir`));
      } else reject(err);
    });
    req.end(JSON.stringify(command));
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
