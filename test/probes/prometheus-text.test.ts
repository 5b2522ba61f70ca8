import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLabels, parsePrometheusText, PromParseError, selectSamples, seriesKey } from '../../src/probes/prometheus-text.js';

const EXPOSITION = `# HELP http_requests_total The total number of HTTP requests.\\nSecond line with a \\\\ backslash.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
nan_metric NaN
neg_inf_metric{a="x",} -Inf
spaced_labels { a = "1" , b="2" } 7
`;

describe('parsePrometheusText', () => {
  const parsed = parsePrometheusText(EXPOSITION);

  it('reads HELP (unescaped) and TYPE', () => {
    assert.equal(parsed.help.get('http_requests_total'), 'The total number of HTTP requests.\nSecond line with a \\ backslash.');
    assert.equal(parsed.types.get('http_requests_total'), 'counter');
    assert.equal(parsed.types.get('http_request_duration_seconds'), 'histogram');
  });

  it('reads samples with labels, values and timestamps; skips comments and blank lines', () => {
    assert.equal(parsed.samples.length, 12);
    assert.deepEqual(parsed.samples[0], { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000 });
    assert.deepEqual(parsed.samples[1], { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestamp: 1395066363000 });
    assert.deepEqual(parsed.samples[3], { name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47 });
  });

  it('unescapes label values: backslash, quote, newline', () => {
    const s = parsed.samples[2]!;
    assert.equal(s.labels.path, 'C:\\DIR\\FILE.TXT');
    assert.equal(s.labels.error, 'Cannot find file:\n"FILE.TXT"');
    assert.equal(s.value, 1.458255915e9);
  });

  it('reads +Inf, -Inf and NaN, negative timestamps, a trailing comma and spaces around labels', () => {
    const byName = (n: string) => parsed.samples.find((s) => s.name === n)!;
    assert.equal(byName('something_weird').value, Infinity);
    assert.equal(byName('something_weird').timestamp, -3982045);
    assert.ok(Number.isNaN(byName('nan_metric').value));
    assert.equal(byName('neg_inf_metric').value, -Infinity);
    assert.deepEqual(byName('neg_inf_metric').labels, { a: 'x' });
    assert.deepEqual(byName('spaced_labels').labels, { a: '1', b: '2' });
    assert.deepEqual(byName('http_request_duration_seconds_bucket').labels, { le: '0.05' });
    assert.equal(parsed.samples.filter((s) => s.name === 'http_request_duration_seconds_bucket')[1]!.labels.le, '+Inf');
  });

  it('accepts CRLF line ends and an OpenMetrics # EOF', () => {
    const p = parsePrometheusText('# TYPE a gauge\r\na 1\r\n# EOF\r\n');
    assert.deepEqual(p.samples, [{ name: 'a', labels: {}, value: 1 }]);
  });

  it('fails a malformed line with its line number and what was expected', () => {
    const bad: [string, RegExp][] = [
      ['ok 1\nbad{a="1" 2\n', /^line 2: expected "," or "}" after label a$/],
      ['x{a=1} 2', /^line 1: expected a quoted value for label a$/],
      ['x{a="1} 2', /^line 1: unterminated value for label a$/],
      ['x 1 2 3', /^line 1: unexpected text after the value of x/],
      ['x abc', /^line 1: expected a number, \+Inf, -Inf or NaN as the value of x, got "abc"$/],
      ['x', /^line 1: expected a value after x$/],
      ['x 1 soon', /^line 1: expected a timestamp/],
      ['9x 1', /^line 1: expected a metric name/],
      ['x{a="1",a="2"} 1', /^line 1: label a appears twice$/],
      ['# TYPE x speedometer', /^line 1: unknown metric type "speedometer" for x$/],
    ];
    for (const [text, message] of bad) {
      assert.throws(
        () => parsePrometheusText(text),
        (err) => err instanceof PromParseError && message.test(err.message),
        text,
      );
    }
  });
});

describe('selectSamples', () => {
  const parsed = parsePrometheusText('a{x="1",y="1"} 1\na{x="1",y="2"} 2\na{x="2"} 4\nab{x="1"} 8\n');
  it('matches by exact name and a subset of labels', () => {
    assert.deepEqual(
      selectSamples(parsed, 'a', { x: '1' }).map((s) => s.value),
      [1, 2],
    );
    assert.deepEqual(
      selectSamples(parsed, 'a').map((s) => s.value),
      [1, 2, 4],
    );
    assert.deepEqual(selectSamples(parsed, 'a', { x: '3' }), []);
  });
  it('keys series with sorted labels', () => {
    assert.equal(seriesKey('a', { y: '2', x: '1' }), 'a{x="1",y="2"}');
    assert.equal(formatLabels({}), '');
  });
});
