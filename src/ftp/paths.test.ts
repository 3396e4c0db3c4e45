import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientPath, joinArg, listArg, resolveCwd } from './paths.ts';

/**
 * Cases one a line: working directory, argument, expected path, split on spaces; "-" is no argument (null),
 * '' the empty one.
 */
function table(text: string): [string, string | null, string][] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [cwd, arg, want] = line.trim().split(/ +/) as [
        string,
        string,
        string,
      ];
      return [cwd, arg === '-' ? null : arg === "''" ? '' : arg, want];
    });
}

test('joinArg joins relative arguments to the working directory and passes everything else raw', () => {
  const cases = table(String.raw`
    /    x.cfg             /x.cfg
    /hq  x.cfg             /hq/x.cfg
    /hq  /a/b              /a/b
    /hq  -                 /hq
    /hq  .                 /hq
    /hq  ''                /hq
    /hq  ../../etc/passwd  /hq/../../etc/passwd
    /    //etc/passwd      //etc/passwd
    /hq  a\..\b            /hq/a\..\b
  `);
  for (const [cwd, arg, want] of cases)
    assert.equal(joinArg(cwd, arg), want, `${cwd} + ${arg}`);
});

test('listArg drops ls flags', () => {
  assert.equal(listArg('-la'), undefined);
  assert.equal(listArg('-a /hq'), '/hq');
  assert.equal(listArg(null), undefined);
  assert.equal(listArg('hq'), 'hq');
});

test('resolveCwd navigates with .. clamped at the root and keeps other segments raw', () => {
  const cases = table(String.raw`
    /      hq        /hq
    /hq    ..        /
    /      ..        /
    /      ../../..  /
    /hq/a  ../b      /hq/b
    /hq    /branch   /branch
    /hq    -         /
    /hq    ./x/      /hq/x
    /      %2e%2e    /%2e%2e
    /      ..\..     /..\..
  `);
  for (const [cwd, arg, want] of cases)
    assert.equal(resolveCwd(cwd, arg), want, `${cwd} cd ${arg}`);
  assert.equal(clientPath(''), '/');
  assert.equal(clientPath('hq/x'), '/hq/x');
});
