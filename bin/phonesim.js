#!/usr/bin/env node
// appliance-phonesim: runs the compiled simulator when present, else the TypeScript source (Node >= 24 strips types).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/phonesim/src/cli.js', import.meta.url);
const mod = await import(
  existsSync(compiled)
    ? compiled.href
    : new URL('../phonesim/src/cli.ts', import.meta.url).href
);
process.exitCode = await mod.main(process.argv.slice(2));
