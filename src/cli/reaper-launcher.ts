/** Starts the reaper for a run (see safety/reaper.ts) and keeps its heartbeat going. */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEARTBEAT_MS } from '../safety/reaper.js';

const bin = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

export interface ReaperHandle {
  pid: number | undefined;
  /** The run ended normally: tell the reaper to go away without touching anything. */
  done(): void;
}

export function startReaper(stateDir: string, runId: string): ReaperHandle {
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  const log = openSync(join(stateDir, 'logs', 'reaper.log'), 'a');
  // Detached: its own session, so a Ctrl-C to the terminal's process group or a CI job's kill of
  // faultline's group does not take the reaper down with the run it guards.
  const child = spawn(process.execPath, [bin, '_reaper', '--state-dir', stateDir, '--run-id', runId], {
    detached: true,
    stdio: ['pipe', 'ignore', log],
  });
  closeSync(log);
  child.unref();
  const stdin = child.stdin!;
  stdin.on('error', () => undefined); // the reaper may be gone; the run goes on
  (stdin as unknown as { unref?: () => void }).unref?.();
  const beat = setInterval(() => stdin.write('beat\n'), HEARTBEAT_MS);
  beat.unref();
  return {
    pid: child.pid,
    done() {
      clearInterval(beat);
      stdin.end('done\n');
    },
  };
}
