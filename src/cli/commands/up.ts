import { join } from 'node:path';
import type { Command } from 'commander';
import { ProcessSupervisor } from '../../drivers/process/supervisor.js';
import { startUpServer } from '../../drivers/process/up-server.js';
import { readUpState } from '../../drivers/process/up-state.js';
import { UpClient } from '../../drivers/process/up-client.js';
import { UsageError } from '../../errors/index.js';
import { checkHealth } from '../../experiment/runtime/health.js';
import { startOrder } from '../../experiment/runtime/system-runtime.js';
import { systemFingerprint } from '../../experiment/runtime/up-match.js';
import { stateDirFrom, systemFrom, type CommonOptions } from '../context.js';

export function registerUp(program: Command, setExit: (code: number) => void): void {
  program
    .command('up')
    .description("Start and supervise the system's `process` services until Ctrl-C or `faultline down`, so quick commands (kill, pause, restart, random) can act on them")
    .option('-s, --system <file>', 'system file (default: ./faultline.yaml)')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .addHelpText('after', '\nService output goes to <state dir>/logs/<service>.log. Services that Docker, systemd or a pid file run need no `up`.')
    .action(async (opts: CommonOptions) => {
      const system = await systemFrom(opts);
      const stateDir = await stateDirFrom(opts);
      const existing = await readUpState(stateDir);
      if (existing) throw new UsageError(`faultline up is already running (pid ${existing.pid}) for ${stateDir}; stop it with \`faultline down\``);
      const supervisor = new ProcessSupervisor();
      supervisor.onEvent((e) => {
        if (e.type === 'exit') log(`${e.service} exited (${e.signal ?? `code ${e.code}`})`);
        if (e.type === 'spawn' && e.restart) log(`${e.service} restarted (pid ${e.pid}, attempt ${e.attempt})`);
      });
      const logDir = join(stateDir, 'logs');
      const server = await startUpServer({ supervisor, stateDir, system: await systemFingerprint(system.absPath) });
      const stop = () => void server.close();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        for (const name of startOrder(system)) {
          const svc = system.system.services[name]!;
          if (!svc.process) continue;
          const health = svc.health;
          log(`starting ${name}`);
          await supervisor.start(name, svc.process, { baseDir: system.dir, logDir, isReady: health ? async () => (await checkHealth(health, { cwd: system.dir })).ok : undefined });
          await server.publish();
          log(`${name} ready (pid ${supervisor.status(name)?.pid}, log ${join(logDir, `${name}.log`)})`);
        }
        if (supervisor.services().length === 0) log('the system has no `process` services to supervise');
        log(`supervising ${supervisor.services().join(', ') || 'nothing'}; Ctrl-C or \`faultline down\` to stop`);
        await server.closed;
        log('stopped');
        setExit(0);
      } catch (err) {
        await server.close();
        throw err;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

export function registerDown(program: Command, setExit: (code: number) => void): void {
  program
    .command('down')
    .description('Stop a running `faultline up` and every service it supervises')
    .option('--state-dir <dir>', 'ledger and run state (default: $FAULTLINE_STATE_DIR or ./.faultline)')
    .action(async (opts: CommonOptions) => {
      const stateDir = await stateDirFrom(opts);
      const client = await UpClient.connect(stateDir);
      if (!client) {
        log(`faultline up is not running for ${stateDir}`);
        setExit(0);
        return;
      }
      await client.shutdown();
      log(`asked faultline up (pid ${client.state.pid}) to stop its services`);
      setExit(0);
    });
}

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}
