import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  envMismatches,
  envValueProblem,
  formatEnvValue,
  readEnvAsDocker,
  readEnvAsNode,
  setEnvKeys,
} from '../../src/cli/env-file.ts';

/** Values a password (or an address) may hold that a bare `NAME=value` line would not carry. */
const TRICKY = [
  'pa ss#word x',
  '#',
  'abc#',
  '#abc',
  ' leading',
  'trailing ',
  '  both  ',
  '\ttab\t',
  "it's",
  "it's #1",
  "'",
  'say "hi"',
  'say "hi" #1',
  '"',
  '"starts',
  "'starts",
  'ends"',
  "ends'",
  '`ticks`',
  '`tick',
  'a`b#c',
  'a=b=c',
  '=',
  'back\\slash',
  'back\\slash #',
  'trailing\\',
  'a\\nb',
  'a\\nb #',
  "a\\tb it's #",
  '$HOME',
  '\x24{HOME} $(id) #',
  'pässwörd #ü',
  'x=1 # not a comment',
  'export X=1',
  '',
];

describe('.env values written by setup', () => {
  test('every tricky value reads back exactly, through Node’s .env reader and through docker --env-file', () => {
    for (const value of TRICKY) {
      const text = setEnvKeys('', { SENDER_PASSWORD: value });
      assert.equal(readEnvAsNode(text).SENDER_PASSWORD, value, `Node: ${JSON.stringify(value)} as ${text}`);
      assert.equal(
        readEnvAsDocker(text).SENDER_PASSWORD,
        value,
        `Docker: ${JSON.stringify(value)} as ${text}`,
      );
      assert.deepEqual(envMismatches(text, { SENDER_PASSWORD: value }), []);
    }
  });

  test('the finding: a password with # and spaces is quoted (bare, Node cut it at the #)', () => {
    assert.equal(readEnvAsNode('SENDER_PASSWORD=pa ss#word x\n').SENDER_PASSWORD, 'pa ss');
    assert.equal(formatEnvValue('pa ss#word x'), "'pa ss#word x'");
    assert.equal(formatEnvValue("it's #1"), `"it's #1"`);
  });

  test('a value that needs no quotes is written bare', () => {
    for (const value of [
      'app-password',
      'MTIz.abc-_DEF',
      'shop@example.test',
      'http://127.0.0.1:9/api',
      '',
    ]) {
      assert.equal(formatEnvValue(value), value);
    }
    assert.equal(
      setEnvKeys('', { SENDER_EMAIL: 'shop@example.test', SENDER_PASSWORD: 'app-password' }),
      'SENDER_EMAIL=shop@example.test\nSENDER_PASSWORD=app-password\n',
    );
  });

  test('a value no line can carry is refused with a one-line reason naming the variable', () => {
    const refused: [string, RegExp][] = [
      ['two\nlines', /line break/],
      ['carriage\rreturn', /line break/],
      ['nul\0byte', /NUL/],
      [`both ' and " #`, /both ' and "/],
      [` it's "quoted"`, /both ' and "/],
      ["it's a\\nb #", /\\n/],
      ["'quoted'", /same quote mark/],
      ['"quoted"', /same quote mark/],
      [' "padded" ', /same quote mark/],
    ];
    for (const [value, reason] of refused) {
      const problem = envValueProblem(value);
      assert.match(problem ?? '', reason, JSON.stringify(value));
      assert.doesNotMatch(problem ?? '', /\n/);
      assert.throws(
        () => setEnvKeys('', { SENDER_PASSWORD: value }),
        (error: Error) => error.message === `SENDER_PASSWORD cannot be written to .env: ${problem}`,
      );
    }
    for (const value of TRICKY) assert.equal(envValueProblem(value), undefined, JSON.stringify(value));
  });

  test('the file’s other lines are kept; earlier assignments of the names set are replaced', () => {
    const before = [
      '# my notes',
      'DATA_DIR=/srv/orders',
      'SENDER_PASSWORD=old',
      'export SENDER_PASSWORD=older',
      'SENDER_PASSWORD_HINT=kept',
      '# another comment',
      'LOG_LEVEL=debug # inline comment',
      '',
      '',
    ].join('\n');
    const after = setEnvKeys(before, { SENDER_PASSWORD: 'pa ss#word x' });
    assert.equal(
      after,
      [
        '# my notes',
        'DATA_DIR=/srv/orders',
        'SENDER_PASSWORD_HINT=kept',
        '# another comment',
        'LOG_LEVEL=debug # inline comment',
        "SENDER_PASSWORD='pa ss#word x'",
        '',
      ].join('\n'),
    );
    const env = readEnvAsNode(after);
    assert.equal(env.SENDER_PASSWORD, 'pa ss#word x');
    assert.equal(env.DATA_DIR, '/srv/orders');
    assert.equal(env.LOG_LEVEL, 'debug');
  });

  test('reading back finds a value the bot would misread, naming the variable and the reader, never the value', () => {
    assert.deepEqual(envMismatches('SENDER_PASSWORD=pa ss#word x\n', { SENDER_PASSWORD: 'pa ss#word x' }), [
      "SENDER_PASSWORD (Node's .env reader)",
    ]);
    // An earlier line that opens a quote and never closes it swallows the lines after it.
    const text = setEnvKeys("NOTE='unclosed\n", { SENDER_PASSWORD: 'pa ss#word x' });
    assert.deepEqual(envMismatches(text, { SENDER_PASSWORD: 'pa ss#word x' }), [
      "SENDER_PASSWORD (Node's .env reader)",
    ]);
  });
});
