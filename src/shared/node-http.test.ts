import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

/** Whether importing `module` (a path from the repository's root) in a fresh Node loads undici. */
const loadsUndici = (module: string): boolean =>
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(new URL(`../../${module}`, import.meta.url).href)});
       process.stdout.write(String(process.moduleLoadList.some((m) => m.includes('undici'))));`,
    ],
    { encoding: 'utf8' },
  ) === 'true';

test('node:http as ES module loads undici (why node-http.ts exists); the appliance start path does not', () => {
  // The cause: if Node stops loading undici here, node-http.ts can go.
  assert.equal(loadsUndici('src/shared/node-http.ts'), false);
  const esm = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import('node:http');
       process.stdout.write(String(process.moduleLoadList.some((m) => m.includes('undici'))));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(esm, 'true');
  // The appliance's servers that listen over HTTP, and the module that starts them all.
  for (const m of ['src/admin/server.ts', 'src/http/server.ts', 'src/main.ts'])
    assert.equal(loadsUndici(m), false, `${m} loads undici`);
});
