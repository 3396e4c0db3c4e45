/**
 * Error codes and docs/errors.md agree both ways (style lesson: errors carry stable codes). A code the shipped
 * code of src/ or phonesim/ names (a quoted CFG_…, TREE_…, DHCP_… literal) has a definition in the docs, as a
 * whole code ("- `CODE`: …" or a "| CODE | … |" table row) in its component's section; every code the docs
 * name, defined or mentioned, exists in the code. This is the only docs check for error codes.
 */

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Code prefix → the docs sections its codes are defined in. */
const SECTIONS: Readonly<Record<string, readonly string[]>> = {
  CFG: ['Config'],
  TREE: ['Tree'],
  DHCP: ['DHCP codec', 'DHCP', 'DHCP export'],
  TFTP: ['TFTP'],
  FTP: ['FTP'],
  HTTP: ['HTTP'],
  SIM: ['Phone simulator'],
  ADMIN: ['Admin'],
  NOTIFY: ['Admin'],
  NTP: ['NTP'],
  SYSLOG: ['Syslog'],
};
const CODE = `(?:${Object.keys(SECTIONS).join('|')})_[A-Z0-9_]+`;
/** A code as a string, or as the key of a counter by code (`dropped: { NTP_RUNT: 0 }`, `dropped.NTP_RUNT++`). */
const QUOTED = new RegExp(
  `['"\`](${CODE})['"\`]|[{,.]\\s*(${CODE})\\b(?=\\s*(?:[:;,}]|\\+\\+|\\+=))`,
  'g',
);
/** Comments name codes without making them exist. */
const COMMENTS = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;
const DEFINITION = new RegExp(`^(?:- \`(${CODE})\`:|\\| (${CODE}) \\|)`);
const MENTION = new RegExp(`\\b${CODE}\\b`, 'g');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'testdata' && e.name !== 'node_modules')
      out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      out.push(p);
  }
  return out;
}

/** Code → the first file naming it. */
async function codesInCode(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const dir of ['src', 'phonesim']) {
    for (const file of await sources(join(root, dir))) {
      for (const m of (await readFile(file, 'utf8'))
        .replace(COMMENTS, '')
        .matchAll(QUOTED)) {
        const c = (m[1] ?? m[2])!;
        if (!found.has(c)) found.set(c, file.slice(root.length));
      }
    }
  }
  return found;
}

/** The docs' definitions (code → the section it is defined in, once) and every code they mention. */
async function codesInDocs(): Promise<{
  defined: Map<string, string[]>;
  mentioned: Set<string>;
}> {
  const defined = new Map<string, string[]>();
  const mentioned = new Set<string>();
  let section = '';
  for (const line of (
    await readFile(join(root, 'docs/errors.md'), 'utf8')
  ).split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    const d = DEFINITION.exec(line);
    const code = d?.[1] ?? d?.[2];
    if (code !== undefined)
      defined.set(code, [...(defined.get(code) ?? []), section]);
    for (const m of line.matchAll(MENTION)) mentioned.add(m[0]);
  }
  return { defined, mentioned };
}

test("every error code in src/ and phonesim/ is defined once in docs/errors.md, in its component's section", async () => {
  const code = await codesInCode();
  const { defined } = await codesInDocs();
  assert.ok(code.size >= 100, `found ${code.size} codes in the code`);
  const wrong: string[] = [];
  for (const [c, file] of code) {
    const where = defined.get(c) ?? [];
    if (where.length === 0) wrong.push(`${c} (${file}) is not defined`);
    else if (where.length > 1)
      wrong.push(`${c} is defined ${where.length} times`);
    else if (!SECTIONS[c.slice(0, c.indexOf('_'))]!.includes(where[0]!))
      wrong.push(`${c} is defined in section "${where[0]}"`);
  }
  assert.deepEqual(wrong, []);
});

test('every error code docs/errors.md defines or mentions exists in src/ or phonesim/', async () => {
  const code = await codesInCode();
  const { defined, mentioned } = await codesInDocs();
  assert.ok(
    defined.size >= 100,
    `found ${defined.size} definitions in the docs`,
  );
  assert.deepEqual([...mentioned].filter((c) => !code.has(c)).sort(), []);
});
