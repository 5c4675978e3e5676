// The extension's run environment file (provspec.run.envFile): dotenv lines to variables.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvFile } from '../../core/plan/env-file.ts';

describe('parseEnvFile', () => {
  it('reads KEY=value lines, export prefixes, comments and blank lines', () => {
    assert.deepEqual(
      parseEnvFile(
        '\uFEFF# a comment\nSCIM_BASE_URL=http://127.0.0.1:7644/scim/v2\n\nexport SCIM_TOKEN = abc123  \r\nnot a line\n=nokey\n',
      ),
      {
        SCIM_BASE_URL: 'http://127.0.0.1:7644/scim/v2',
        SCIM_TOKEN: 'abc123',
      },
    );
  });
  it('cuts an unquoted value at a # after whitespace only', () => {
    assert.deepEqual(parseEnvFile('A=one # note\nB=x#y\nC=\nD= # only a comment'), { A: 'one', B: 'x#y', C: '', D: '' });
  });
  it('keeps quoted values whole: escapes in double quotes, single quotes literal, multi-line', () => {
    assert.deepEqual(parseEnvFile(`A="a # b\\n\\"c\\"" # note\nB='x\\ny # z'\nC="line 1\nline 2"\nD=last`), {
      A: 'a # b\n"c"',
      B: 'x\\ny # z',
      C: 'line 1\nline 2',
      D: 'last',
    });
  });
  it('takes an unterminated quote to the end of the file', () => {
    assert.deepEqual(parseEnvFile('A="open\nB=2'), { A: 'open\nB=2' });
  });
  it('lets a later line win', () => {
    assert.deepEqual(parseEnvFile('A=1\nA=2'), { A: '2' });
  });
});
