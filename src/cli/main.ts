/**
 * The `appliance` command: validate, render, schema, run.
 *   appliance validate [--strict] [FILE]           errors as FILE:LINE:COL path: message; exit 1 on error
 *   appliance render [--config F] [--site S] [PATH|MAC]   print a tree file, or every file a phone receives
 *   appliance render [--config F] --out DIR        materialise the tree
 *   appliance schema [--release R]                 the JSON Schema of appliance.yaml (src/cli/params.ts)
 *   appliance params [--release R] [--model M] Q   search a release's parameter catalog (src/cli/params.ts)
 *   appliance overrides [MAC] | --clear MAC        the phones' uploaded overrides against appliance.yaml
 *   appliance run [--config F]                     start every enabled service
 *   appliance notify | leases | phones             operations (src/cli/notify.ts, src/cli/ops.ts)
 */
import { formatIssue } from '../config/issues.ts';
import { redact } from '../config/secrets.ts';
import { parseMac } from '../shared/mac.ts';
import { createTree } from '../tree/tree.ts';
import { parseCommand } from './args.ts';
import { defaultConfig, loadReported as load } from './load-report.ts';
import { reexecWithNodeFlags } from './node-flags.ts';
import { type Out, printPath, printPhone, renderOut } from './render.ts';
import { reexecIfStripped } from './warm-start.ts';

const USAGE = `usage:
  appliance validate [--strict] [FILE]                            --strict: unknown parameter names are errors
  appliance render [--config FILE] [--site SITE] [--show-secrets] [PATH|MAC]
  appliance render [--config FILE] [--show-secrets] --out DIR     resolved secrets print as *** unless --show-secrets
  appliance schema [--config FILE] [--release NAME]               with the release's parameters (polycomConfig.xsd)
  appliance params [--config FILE] [--release R | --model M] QUERY   search parameter names and descriptions
  appliance overrides [--config FILE] [MAC] | --clear MAC            the phones' own -phone.cfg/-web.cfg changes
  appliance run [--config FILE]
  appliance notify <MAC|site|model|all> [--reboot] [--wave N]     check-sync NOTIFY through the running appliance
  appliance leases [--site S]                                      the DHCP leases as a table
  appliance phones                                                 the phone inventory as a table
  appliance logs <MAC> [--follow]                                  what a phone sent by syslog
  appliance export kea|dnsmasq [--site S] [--ha URL,URL] [--out F] the DHCP policy for Kea or dnsmasq (docs/scale-out.md)
FILE defaults to $APPLIANCE_CONFIG, else ./appliance.yaml`;

const stdout: Out = {
  write: (s) => {
    process.stdout.write(s);
  },
};
type Command = (argv: string[]) => Promise<number>;
/**
 * Operations commands parse their own flags (notify talks to a running appliance's admin API; leases and
 * phones read the data directory). Imported only when named: ops.ts (which notify.ts uses too) brings the
 * inventory and the lease replay.
 */
const SUBCOMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  notify: async () => (await import('./notify.ts')).notifyCommand,
  leases: async () => (await import('./ops.ts')).leasesCommand,
  phones: async () => (await import('./ops.ts')).phonesCommand,
  logs: async () => (await import('./logs.ts')).logsCommand,
  export: async () => (await import('./export.ts')).exportCommand,
  params: async () => (await import('./params.ts')).paramsCommand,
  overrides: async () => (await import('./overrides.ts')).overridesCommand,
  schema: async () => (await import('./params.ts')).schemaCommand,
};

/**
 * ownProcess: the command owns this process (bin/appliance.js, or this file run directly), so `run` may re-execute
 * it with the Node flags it is sized for (node-flags.ts); an in-process caller leaves it unset.
 */
export async function main(
  argv: string[],
  opts: { ownProcess?: boolean } = {},
): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && Object.hasOwn(SUBCOMMANDS, command))
    return (await SUBCOMMANDS[command]!())(rest);
  const parsed = parseCommand(rest, {
    site: { type: 'string' },
    out: { type: 'string' },
    strict: { type: 'boolean' },
    'show-secrets': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'validate': {
      const file = positionals[0] ?? values.config ?? defaultConfig();
      const loaded = await load(file, { strict: values.strict ?? false });
      if (!loaded) return 1;
      for (const a of loaded.advice())
        process.stderr.write(`${formatIssue(a)}\n`);
      const m = loaded.model;
      process.stdout.write(
        `${file}: ok (${m.sites.size} sites, ${m.phones.size} phones, ${m.firmware.size} firmware releases, ${loaded.warnings.length} warnings)\n`,
      );
      return 0;
    }
    case 'render': {
      const loaded = await load(values.config ?? defaultConfig(), {
        quietWarnings: true,
      });
      if (!loaded) return 1;
      const model = loaded.model;
      const hide = values['show-secrets'] ? [] : loaded.secrets;
      const out: Out =
        hide.length === 0
          ? stdout
          : {
              write: (s) => {
                stdout.write(redact(s, hide));
              },
            };
      if (values.out) {
        const r = await renderOut(model, values.out, hide);
        process.stderr.write(
          `rendered ${r.rendered} files, linked ${r.linked} from ${model.tftpboot} into ${values.out}\n`,
        );
        return 0;
      }
      const tree = createTree(model);
      const target = positionals[0];
      if (target === undefined) {
        const listing = await tree.list(
          values.site
            ? (model.sites.get(values.site)?.bootServer.path ?? values.site)
            : '',
        );
        if (!listing.ok) {
          process.stderr.write(`${listing.error.message}\n`);
          return 1;
        }
        for (const f of listing.value)
          process.stdout.write(
            `${f.type === 'dir' ? 'd' : '-'} ${String(f.size).padStart(10)} ${f.path}\n`,
          );
        return 0;
      }
      if (parseMac(target).ok && !target.includes('.')) {
        return (await printPhone(model, tree, target, out)) ? 0 : 1;
      }
      const site = values.site ? model.sites.get(values.site) : undefined;
      if (values.site && !site) {
        process.stderr.write(`no site "${values.site}"\n`);
        return 1;
      }
      const path = site?.bootServer.path
        ? `${site.bootServer.path}/${target}`
        : target;
      if (await printPath(tree, path, out)) return 0;
      process.stderr.write(`${path}: not in the tree\n`);
      return 1;
    }
    case 'run': {
      if (opts.ownProcess) reexecWithNodeFlags();
      const { run, importServiceModules } = await import('../main.ts');
      if (opts.ownProcess) await reexecIfStripped(importServiceModules);
      const code = await run(
        values.config ?? positionals[0] ?? defaultConfig(),
      );
      // Everything is closed: a timer a library left behind (ftp-srv's 30 s passive timeout) must not hold
      // the process after SIGTERM. Exit on our own half a second on, unless the event loop empties first.
      if (opts.ownProcess) setTimeout(() => process.exit(code), 500).unref();
      return code;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2), { ownProcess: true }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`appliance: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
