/** The per-service log file the supervisor appends a process's stdout and stderr to. */
import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A line of faultline's own, so the log tells where one process ends and the next begins. */
export function appendLogLine(file: string, message: string): void {
  try {
    appendFileSync(file, `[faultline ${new Date().toISOString()}] ${message}\n`);
  } catch {
    // Logging about a process must never break supervising it.
  }
}

/** The last `lines` lines of the file (reading at most the last 8 KiB), or '' when unreadable. */
export function tailLog(file: string, lines = 20): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, 8192);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
