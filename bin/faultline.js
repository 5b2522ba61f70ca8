#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm run build`).
import { main } from '../dist/cli/main.js';

// `faultline … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Every command awaits its own work (long-running ones — up, proxy, the reaper — until they are
// told to stop), so once main() settles nothing should keep the process alive. If something does
// (a handle left open by a bug), exit anyway after a grace period, saying what was still open, so
// a pipeline never hangs on a finished run. The timer is unref'd: it never delays a clean exit.
const GRACE_MS = 3000;
function exitWhenDone(code) {
  process.exitCode = code;
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    process.stderr.write(`faultline: still running ${GRACE_MS / 1000}s after finishing (open: ${open.join(', ') || 'nothing'}); exiting with code ${code}\n`);
    process.exit(code);
  }, GRACE_MS).unref();
}

// And once the loop has nothing left, exit at once: Node's teardown waits for every handle to
// close, and a handle that libuv could not close (seen with a TCP reset refused during a pending
// shutdown) made it spin there forever at 100% CPU, where no timer runs any more.
process.once('beforeExit', () => process.exit(process.exitCode ?? 0));

main(process.argv).then(
  (code) => exitWhenDone(code),
  (err) => { console.error(err?.stack ?? String(err)); exitWhenDone(2); },
);
