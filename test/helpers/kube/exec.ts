/**
 * pods/exec over WebSocket, in the channel protocols client-node's Exec and kubectl speak
 * (v5.channel.k8s.io preferred, then v4; each binary message is one channel byte — 1 stdout,
 * 2 stderr, 3 status — then the data; the server sends no v5 close frames, only the client does). The only "command" run is a kill of the
 * container's PID 1 (`kill 1`, `kill -TERM 1`, `kill -s TERM 1`, `kill -9 1`, `kill -s KILL 1`,
 * as argv or inside `sh -c '…'`): the kubelet imitation restarts the container with exit code
 * 143 (TERM) or 137 (KILL). Any other command ends with exit code 127 and a line on stderr.
 * The status message is the v1 Status a real kubelet sends: Success, or Failure with reason
 * NonZeroExitCode and the exit code as a cause.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Cluster } from './cluster.js';
import { badRequest, notFound, StatusError } from './errors.js';
import { parseQuery } from './list.js';
import type { PodLifecycle } from './controllers/pods.js';

const protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** The signal a recognised kill of PID 1 sends, or undefined for any other command. */
export function killSignal(argv: string[]): 'TERM' | 'KILL' | undefined {
  let words = argv;
  if ((words[0] === 'sh' || words[0] === '/bin/sh' || words[0] === 'bash') && words[1] === '-c' && words[2]) words = words[2].trim().split(/\s+/);
  if (words[0] !== 'kill' && words[0] !== '/bin/kill') return undefined;
  const rest = words.slice(1);
  if (rest[rest.length - 1] !== '1') return undefined;
  const flags = rest.slice(0, -1).join(' ');
  if (flags === '' || /^-(s )?(TERM|SIGTERM|15)$/.test(flags)) return 'TERM';
  if (/^-(s )?(KILL|SIGKILL|9)$/.test(flags)) return 'KILL';
  return undefined;
}

export class ExecServer {
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false });

  constructor(
    private readonly cluster: Cluster,
    private readonly pods: PodLifecycle,
    private readonly log: (path: string, query: Record<string, string>) => void,
  ) {}

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { path, query, commands } = parseQuery(req);
    this.log(path, query);
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(path);
    try {
      if (!m) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      const [ns, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      const podDef = this.cluster.def('pods');
      const pod = this.cluster.store.get(podDef, ns, name);
      if (!pod) throw notFound(podDef, name);
      const containers = (pod.spec?.containers ?? []) as { name: string }[];
      const container = query.container || containers[0]?.name;
      if (!containers.some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
      if (pod.status?.phase !== 'Running') throw badRequest(`pod ${name} does not have a host assigned`);
      this.wss.handleUpgrade(req, socket, head, (ws) => this.run(ws, ns, name, container!, commands));
    } catch (err) {
      const status = err instanceof StatusError ? err : new StatusError(500, 'InternalError', String(err));
      const text = JSON.stringify(status.toStatus());
      socket.end(`HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    }
  }

  private run(ws: WebSocket, ns: string, name: string, container: string, argv: string[]): void {
    const signal = killSignal(argv);
    let exitCode = 0;
    if (signal) this.pods.restartContainer(ns, name, container, signal === 'TERM' ? 143 : 137, 'Error');
    else {
      exitCode = 127;
      ws.send(Buffer.concat([Buffer.from([2]), Buffer.from(`stand-in: ${argv[0] ?? ''}: command not found (only a kill of PID 1 is imitated)\n`)]));
    }
    const status =
      exitCode === 0
        ? { metadata: {}, status: 'Success' }
        : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${exitCode}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] } };
    ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
    ws.close(1000);
  }

  close(): void {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }
}
