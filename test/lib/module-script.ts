/**
 * Run a module script (`node --input-type=module -e`) and collect its stdout, with the child's PID: the
 * re-execution tests (src/cli/node-flags, warm-start) check that the process replaced itself (same PID).
 */
import { execFile } from 'node:child_process';

export async function runModuleScript(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ pid: number | undefined; out: string }> {
  const child = execFile(
    process.execPath,
    ['--input-type=module', '-e', script],
    { env },
  );
  const out = await new Promise<string>((resolve, reject) => {
    let s = '';
    child.stdout!.on('data', (d) => {
      s += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(s) : reject(new Error(`exit ${code}`)),
    );
  });
  return { pid: child.pid, out };
}
