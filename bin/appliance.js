#!/usr/bin/env node
// Runs the compiled CLI when present (the container image), else the TypeScript source (Node >= 24 strips types).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const cli = await import(
  existsSync(compiled)
    ? compiled.href
    : new URL('../src/cli/main.ts', import.meta.url).href
);
process.exitCode = await cli.main(process.argv.slice(2), { ownProcess: true });
