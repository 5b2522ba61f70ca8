/** Asks before a run touches anything beyond this machine; never prompts without a terminal. */
import { createInterface } from 'node:readline/promises';
import type { FaultTarget } from '../faults/types.js';

export function confirmRemote(yes: boolean | undefined): (targets: FaultTarget[]) => Promise<boolean> {
  return async (targets) => {
    if (yes) return true;
    const list = targets.map((t) => `  - ${t.label}`).join('\n');
    if (!process.stdin.isTTY) {
      process.stderr.write(`faultline: this run targets systems beyond this machine:\n${list}\nstdin is not a terminal, so it cannot ask: pass --yes to proceed\n`);
      return false;
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`This run targets systems beyond this machine:\n${list}\nProceed? [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}
