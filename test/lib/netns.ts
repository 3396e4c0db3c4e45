/**
 * A lab of network namespaces for integration tests and benchmarks: a server host and client hosts on one
 * L2 segment (a Linux bridge inside a hub namespace), created by the test and always deleted, even on failure.
 * Nothing is ever bound in the machine's own namespace; every address lives inside these namespaces.
 *
 *   const lab = await createLab({ prefix: 'tftp', hosts: ['srv', 'cli'], subnet: '10.91.0' });
 *   try { await lab.exec('cli', ['curl', ...]) } finally { await lab.destroy() }
 *
 * Host i gets address <subnet>.<i+1>/24 on interface "eth0" inside namespace "<prefix>-<name>".
 */
import {
  type ChildProcess,
  execFile,
  type SpawnOptions,
  spawn,
} from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface LabHost {
  readonly name: string;
  readonly ns: string;
  readonly address: string;
  readonly iface: string;
}

export interface Lab {
  readonly hosts: Readonly<Record<string, LabHost>>;
  /** Run a command to completion inside a host; rejects on non-zero exit unless allowFail. */
  exec(
    host: string,
    argv: string[],
    opts?: { timeoutMs?: number; allowFail?: boolean; input?: string },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Start a long-running process inside a host; it is killed by PID on destroy(). */
  spawn(host: string, argv: string[], opts?: SpawnOptions): ChildProcess;
  /** Kill every process started here, by PID, and delete every namespace. Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * The environment of a command run in a lab host: an LD_PRELOAD (bench/tftp-fuzz/asan-tests.sh preloads the
 * ASan runtime for node and the sanitized TFTP engine) reaches node processes only; curl hangs under it.
 */
function labEnv(argv: readonly string[]): NodeJS.ProcessEnv {
  if (!process.env.LD_PRELOAD || argv[0] === process.execPath)
    return process.env;
  const { LD_PRELOAD: _, ...env } = process.env;
  return env;
}

async function ip(args: string[]): Promise<void> {
  await execFileP('ip', args);
}

export function canRunLab(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

/** Commands a test needs; returns the missing ones so the test can say what to install. */
export async function missingCommands(cmds: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const c of cmds) {
    try {
      await execFileP('sh', ['-c', `command -v ${c}`]);
    } catch {
      missing.push(c);
    }
  }
  return missing;
}

export async function createLab(opts: {
  prefix: string;
  hosts: string[];
  subnet: string;
  mtu?: number;
}): Promise<Lab> {
  const tag = `${opts.prefix}${process.pid % 10000}`.slice(0, 9);
  const hub = `${tag}-hub`;
  const hosts: Record<string, LabHost> = {};
  const children = new Set<ChildProcess>();
  const created: string[] = [];
  const destroy = async (): Promise<void> => {
    for (const c of children) {
      if (c.pid && c.exitCode === null) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    children.clear();
    for (const ns of created.reverse()) {
      try {
        await ip(['netns', 'del', ns]);
      } catch {
        /* already gone */
      }
    }
    created.length = 0;
  };
  try {
    await ip(['netns', 'add', hub]);
    created.push(hub);
    await ip(['-n', hub, 'link', 'set', 'lo', 'up']);
    await ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', hub, 'link', 'set', 'br0', 'up']);
    for (const [i, name] of opts.hosts.entries()) {
      const ns = `${tag}-${name}`;
      await ip(['netns', 'add', ns]);
      created.push(ns);
      const hostSide = `h${i}`;
      await ip([
        '-n',
        hub,
        'link',
        'add',
        hostSide,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        ns,
      ]);
      if (opts.mtu) {
        await ip(['-n', hub, 'link', 'set', hostSide, 'mtu', String(opts.mtu)]);
        await ip(['-n', ns, 'link', 'set', 'eth0', 'mtu', String(opts.mtu)]);
      }
      await ip(['-n', hub, 'link', 'set', hostSide, 'master', 'br0']);
      await ip(['-n', hub, 'link', 'set', hostSide, 'up']);
      const address = `${opts.subnet}.${i + 1}`;
      await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      hosts[name] = { name, ns, address, iface: 'eth0' };
    }
  } catch (e) {
    await destroy();
    throw e;
  }
  const nsOf = (host: string): string => {
    const h = hosts[host];
    if (!h) throw new Error(`no host ${host} in lab`);
    return h.ns;
  };
  return {
    hosts,
    async exec(host, argv, o = {}) {
      const child = spawn('ip', ['netns', 'exec', nsOf(host), ...argv], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: labEnv(argv),
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      if (o.input !== undefined) child.stdin!.end(o.input);
      else child.stdin!.end();
      const timer = setTimeout(() => {
        if (child.pid)
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
      }, o.timeoutMs ?? 60_000);
      const code: number = await new Promise((resolve) =>
        child.on('close', (c) => resolve(c ?? -1)),
      );
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0 && !o.allowFail)
        throw new Error(
          `${argv.join(' ')} in ${host} exited ${code}: ${stderr.slice(-2000)}`,
        );
      return { code, stdout, stderr };
    },
    spawn(host, argv, o = {}) {
      const child = spawn('ip', ['netns', 'exec', nsOf(host), ...argv], {
        stdio: 'pipe',
        env: labEnv(argv),
        ...o,
      });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    destroy,
  };
}

/** Wait until fn() is truthy, polling; rejects after timeoutMs. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* retry */
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A second L2 segment joining existing lab hosts (multi-homed server, relay in a middle namespace): a bridge
 * in its own hub namespace, one veth per member named `iface` inside the member, address <subnet>.<octet>/24.
 * Delete it with destroy() before lab.destroy() (deleting the lab's namespaces also removes the veths).
 */
export async function addSegment(
  lab: Lab,
  opts: {
    name: string;
    subnet: string;
    members: { host: string; iface: string; octet: number }[];
  },
): Promise<{ destroy(): Promise<void> }> {
  const first = Object.values(lab.hosts)[0];
  if (!first) throw new Error('lab has no hosts');
  const hub = `${first.ns.split('-')[0]}-${opts.name}`;
  const destroy = async (): Promise<void> => {
    try {
      await ip(['netns', 'del', hub]);
    } catch {
      /* gone */
    }
  };
  try {
    await ip(['netns', 'add', hub]);
    await ip(['-n', hub, 'link', 'set', 'lo', 'up']);
    await ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', hub, 'link', 'set', 'br0', 'up']);
    for (const [i, m] of opts.members.entries()) {
      const h = lab.hosts[m.host];
      if (!h) throw new Error(`no host ${m.host} in lab`);
      await ip([
        '-n',
        hub,
        'link',
        'add',
        `s${i}`,
        'type',
        'veth',
        'peer',
        'name',
        m.iface,
        'netns',
        h.ns,
      ]);
      await ip(['-n', hub, 'link', 'set', `s${i}`, 'master', 'br0']);
      await ip(['-n', hub, 'link', 'set', `s${i}`, 'up']);
      await ip([
        '-n',
        h.ns,
        'addr',
        'add',
        `${opts.subnet}.${m.octet}/24`,
        'dev',
        m.iface,
      ]);
      await ip(['-n', h.ns, 'link', 'set', m.iface, 'up']);
    }
  } catch (e) {
    await destroy();
    throw e;
  }
  return { destroy };
}
