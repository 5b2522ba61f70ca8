import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandArgs, describeCommand, execShellCommand } from '../../../src/drivers/process/command.js';
import { HANG_GUARD_MS } from './helpers.js';

describe('command', { timeout: HANG_GUARD_MS }, () => {
  it('execs simple shell commands so the pid is the program', () => {
    assert.equal(execShellCommand('node server.js --port 0'), 'exec node server.js --port 0');
    assert.equal(execShellCommand('PORT=1 NAME="a b" node s.js'), 'PORT=1 NAME="a b" exec node s.js');
    assert.equal(execShellCommand('exec node s.js'), 'exec node s.js');
    assert.equal(execShellCommand('node s.js > out.log 2>&1'), 'exec node s.js > out.log 2>&1');
  });

  it('leaves compound commands to the shell', () => {
    for (const cmd of ['a && b', 'a; b', 'a | b', 'a &', 'a 2>&1 &', '(a)', 'if true; then a; fi', 'echo $(date)']) assert.equal(execShellCommand(cmd), cmd);
  });

  it('runs strings through sh and argv directly', () => {
    assert.deepEqual(commandArgs('node x'), { file: '/bin/sh', args: ['-c', 'exec node x'] });
    assert.deepEqual(commandArgs(['node', 'x y']), { file: 'node', args: ['x y'] });
    assert.equal(describeCommand(['node', 'x y']), 'node "x y"');
  });
});
