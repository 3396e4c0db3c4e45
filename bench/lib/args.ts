/** Command-line options of the benchmark scripts: `--name value` and `--flag`. */
export function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

export const numArg = (name: string, def: number): number =>
  Number(arg(name, String(def)));

export const flag = (name: string): boolean =>
  process.argv.includes(`--${name}`);
