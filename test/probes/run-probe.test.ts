import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isValidationError } from '../../src/errors/index.js';
import { probeKind, runProbe } from '../../src/probes/run-probe.js';
import { startHttpServer, type TestServer } from './http-server.js';

describe('runProbe', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startHttpServer((req, res) => {
      if (req.url !== '/hang') res.end('ok');
    });
  });
  after(() => srv.close());

  it('dispatches on the kind of call', async () => {
    const opts = { defaultTimeout: 2000 };
    assert.equal((await runProbe({ http: srv.url }, opts)).status, 200);
    assert.equal((await runProbe({ tcp: `127.0.0.1:${srv.port}` }, opts)).ok, true);
    assert.equal((await runProbe({ command: 'echo hi' }, opts)).stdout, 'hi\n');
  });

  it('uses the call timeout over the default', async () => {
    const r = await runProbe({ http: `${srv.url}/hang`, timeout: 100 }, { defaultTimeout: 10_000 });
    assert.equal(r.error, 'timeout after 100ms');
    const d = await runProbe({ http: `${srv.url}/hang` }, { defaultTimeout: 150 });
    assert.equal(d.error, 'timeout after 150ms');
  });

  it('passes cwd to commands', async () => {
    const r = await runProbe({ command: ['pwd'] }, { defaultTimeout: 2000, cwd: '/' });
    assert.equal(r.stdout, '/\n');
  });

  it('throws a ValidationError for a call with no kind or several', () => {
    assert.throws(() => probeKind({}), (err) => isValidationError(err) && /expected one of http, tcp, command, metrics, prometheus or kubernetes/.test(err.message));
    assert.throws(() => runProbe({ tcp: 'a:1', command: 'true' }, { defaultTimeout: 1 }), /only one of http, tcp, command, metrics, prometheus or kubernetes, got tcp and command/);
  });
});
