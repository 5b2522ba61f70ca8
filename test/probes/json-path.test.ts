import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidationError } from '../../src/errors/index.js';
import { lookup, parseJsonPath } from '../../src/probes/json-path.js';

describe('json path', () => {
  it('parses $, .key and [index] steps', () => {
    assert.deepEqual(parseJsonPath('$'), []);
    assert.deepEqual(parseJsonPath('$.items[0].id'), ['items', 0, 'id']);
    assert.deepEqual(parseJsonPath('$[2][0].$ref'), [2, 0, '$ref']);
  });

  it('rejects anything else', () => {
    for (const bad of ['items', '$.', '$[x]', '$..a', '$.a b', '$["a"]']) {
      assert.throws(() => parseJsonPath(bad), isValidationError, bad);
    }
  });

  it('looks values up, telling missing from null', () => {
    const doc = { a: [{ b: null }], s: 'x' };
    assert.deepEqual(lookup(doc, ['a', 0, 'b']), { found: true, value: null });
    assert.deepEqual(lookup(doc, ['a', 1]), { found: false, value: undefined });
    assert.deepEqual(lookup(doc, ['s', 'length']), { found: false, value: undefined });
    assert.deepEqual(lookup(doc, ['a', 'length']), { found: false, value: undefined });
    assert.deepEqual(lookup(doc, ['toString']), { found: false, value: undefined });
    assert.deepEqual(lookup(doc, []), { found: true, value: doc });
  });
});
