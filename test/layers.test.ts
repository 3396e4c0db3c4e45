/**
 * The layer rules (.dependency-cruiser.cjs) hold for the whole checkout, and they can fail: a scratch copy
 * of the rules over a few files with one deliberately wrong import per rule is refused, each by its rule.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CRUISE = join(
  ROOT,
  'node_modules',
  'dependency-cruiser',
  'bin',
  'dependency-cruiser.mjs',
);

async function cruise(
  cwd: string,
  paths: string[],
): Promise<{ code: number; out: string }> {
  try {
    const r = await run(
      process.execPath,
      [
        CRUISE,
        ...paths,
        '--config',
        join(cwd, '.dependency-cruiser.cjs'),
        '--output-type',
        'err',
      ],
      { cwd },
    );
    return { code: 0, out: r.stdout };
  } catch (e) {
    const x = e as { code: number; stdout: string };
    return {
      code: x.code,
      out: `${x.stdout}${(e as { stderr?: string }).stderr ?? ''}`,
    };
  }
}

test('the checkout keeps the layer rules', async () => {
  const r = await cruise(ROOT, ['src', 'test', 'bench', 'phonesim']);
  assert.equal(r.code, 0, r.out);
});

/** file → its one import; each line names the rule that must refuse it (undefined: allowed). */
const SCRATCH: [string, string, string | undefined][] = [
  ['src/shared/a.ts', '', undefined],
  ['src/config/model.ts', "import '../shared/a.ts';", undefined],
  ['src/config/load.ts', "import '../tree/tree.ts';", 'config-imports-down'],
  ['src/tree/tree.ts', "import '../config/model.ts';", undefined],
  [
    'src/policy/release.ts',
    "import '../runtime/deps.ts';",
    'policy-imports-down',
  ],
  ['src/runtime/deps.ts', "import '../tree/tree.ts';", undefined],
  ['src/tftp/server.ts', "import '../ftp/server.ts';", 'protocols-independent'],
  [
    'src/ftp/server.ts',
    "import '../admin/api.ts';",
    'protocols-below-inventory',
  ],
  [
    'src/admin/api.ts',
    "import '../dhcp/server.ts';",
    'admin-through-interfaces',
  ],
  ['src/dhcp/server.ts', "import './codec/packet.ts';", undefined],
  [
    'src/dhcp/codec/packet.ts',
    "import '../../config/model.ts';",
    'codecs-pure',
  ],
  [
    'src/http/app.ts',
    "import '../../test/lib/x.ts';",
    'shipped-code-has-no-tests',
  ],
  [
    'test/lib/x.ts',
    "import '../../src/dhcp/testdata/y.ts';",
    'test-support-one-way',
  ],
  ['src/dhcp/testdata/y.ts', '', undefined],
  [
    'phonesim/src/sim.ts',
    "import '../../src/tree/tree.ts';",
    'phonesim-independent',
  ],
];

test('a deliberately wrong import fails the rules, each by its own rule', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'layers-'));
  try {
    await copyFile(
      join(ROOT, '.dependency-cruiser.cjs'),
      join(dir, '.dependency-cruiser.cjs'),
    );
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          allowImportingTsExtensions: true,
          noEmit: true,
          module: 'nodenext',
        },
      }),
    );
    for (const [file, body] of SCRATCH) {
      await mkdir(join(dir, dirname(file)), { recursive: true });
      await writeFile(join(dir, file), `${body}\nexport {};\n`);
    }
    const r = await cruise(dir, ['src', 'test', 'phonesim']);
    assert.notEqual(r.code, 0, 'the wrong imports were accepted');
    for (const [file, body, rule] of SCRATCH) {
      const target = /'([^']+)'/.exec(body)?.[1];
      if (!target) continue;
      const line = r.out.split('\n').find((l) => l.includes(` ${file} → `));
      if (rule === undefined)
        assert.equal(
          line,
          undefined,
          `${file}: allowed import refused: ${line}`,
        );
      else
        assert.match(
          line ?? '',
          new RegExp(`error ${rule}:`),
          `${file}: expected ${rule}\n${r.out}`,
        );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
