// The floor for any Node proxy: net sockets piped both ways, nothing else.
// Usage: node bare-pipe.mjs LISTEN_PORT UPSTREAM_PORT
import net from 'node:net';

const [listen, upstream] = process.argv.slice(2).map(Number);
net
  .createServer({ noDelay: true }, (client) => {
    const up = net.connect({ port: upstream, host: '127.0.0.1', noDelay: true });
    client.pipe(up).pipe(client);
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  })
  .listen(listen, '127.0.0.1', () => process.stdout.write('ready\n'));
