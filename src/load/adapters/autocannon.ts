/**
 * autocannon's `--json` result (whole run): `requests.total` responses, `errors` (requests without
 * a response, timeouts included), `statusCodeStats` {status: {count}}, `latency` {mean, p50, p90,
 * p97_5, p99, max} in ms, `duration` in s. autocannon has no p95: it is interpolated between p90
 * and p97.5.
 */
import { asRecord, countErrors, fromWholeRun, interpolate, num, type Adapter } from './tool-run.js';

export const autocannonAdapter: Adapter = (text, run) => {
  let doc: Record<string, unknown> | undefined;
  // autocannon prints the JSON as its last line of standard output, once its run is complete.
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('autocannon printed no result (it prints one only when its run completes)');
  try {
    doc = asRecord(JSON.parse(trimmed.slice(trimmed.lastIndexOf('\n{') + 1)));
  } catch {
    throw new Error('the autocannon output has no JSON result (run it with --json)');
  }
  const requests = asRecord(doc?.requests);
  const latency = asRecord(doc?.latency);
  const responses = num(requests?.total);
  if (!doc || responses === undefined || !latency) throw new Error('not an autocannon result: expected "requests.total" and "latency" (autocannon --json)');
  const noResponse = num(doc.errors) ?? 0;
  const statusCodes: Record<string, number> = {};
  for (const [status, stat] of Object.entries(asRecord(doc.statusCodeStats) ?? {})) statusCodes[status] = num(asRecord(stat)?.count) ?? 0;
  if (noResponse > 0) statusCodes.error = noResponse;
  const l = (k: string): number => num(latency[k]) ?? 0;
  const durationS = num(doc.duration);
  return fromWholeRun(
    {
      requests: responses + noResponse,
      errors: countErrors(statusCodes, run.okStatus, noResponse),
      statusCodes,
      latencyMs:
        responses > 0
          ? { p50: l('p50'), p90: l('p90'), p95: interpolate(95, { p: 90, v: l('p90') }, { p: 97.5, v: l('p97_5') }), p99: l('p99'), max: l('max'), mean: l('mean') || l('average') }
          : null,
      ...(durationS !== undefined ? { durationMs: durationS * 1000 } : {}),
    },
    run,
  );
};
