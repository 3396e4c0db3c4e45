/**
 * Docker CLI helpers for the container test: is a daemon answering, run a docker command, remove what an
 * earlier (killed) run of this test left behind (found by label only), read an image's size, a
 * container's memory and its log. Everything it creates carries LABEL, so cleanup never touches anything else.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Put on every container and network the test creates. */
export const LABEL = 'org.polycom-appliance.test=container';

export function dockerAnswers(): boolean {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeout: 10_000,
    encoding: 'utf8',
  });
  return r.status === 0 && r.stdout.trim() !== '';
}

export async function docker(
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<string> {
  const { stdout } = await run('docker', [...args], {
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** Remove containers and networks an earlier run left (a killed test cannot run its finally). */
export async function removeLeftovers(): Promise<void> {
  const containers = (await docker(['ps', '-aq', '--filter', `label=${LABEL}`]))
    .split('\n')
    .filter(Boolean);
  if (containers.length > 0) await docker(['rm', '-f', '-v', ...containers]);
  const networks = (
    await docker(['network', 'ls', '-q', '--filter', `label=${LABEL}`])
  )
    .split('\n')
    .filter(Boolean);
  if (networks.length > 0) await docker(['network', 'rm', ...networks]);
}

export async function imageSize(image: string): Promise<number> {
  return Number(await docker(['image', 'inspect', '-f', '{{.Size}}', image]));
}

/** "12.3MiB / 23.5GiB" as docker stats prints it (resident memory of the container's cgroup). */
export async function memoryUsage(container: string): Promise<string> {
  return docker(
    ['stats', '--no-stream', '--format', '{{.MemUsage}}', container],
    30_000,
  );
}

/** A container's log so far, stdout then stderr (the appliance's JSON lines go to stderr). */
export async function containerLog(container: string): Promise<string> {
  const { stdout, stderr } = await run('docker', ['logs', container], {
    timeout: 30_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return `${stdout}${stderr}`;
}

/**
 * Docker isolates an --internal network with iptables rules that drop bridged packets whose source or
 * destination lies outside the subnet (DOCKER-ISOLATION-STAGE-1), and that includes a DHCP DISCOVER
 * (0.0.0.0 → 255.255.255.255). This ACCEPTs traffic between the ports of the one test bridge only, in
 * the DOCKER-USER chain Docker keeps for such rules; nothing can leave the bridge. Returns the undo.
 * Without the chain (dockerd --iptables=false) there is no isolation rule and nothing to do.
 */
export async function allowWithinBridge(
  bridge: string,
): Promise<() => Promise<void>> {
  const rule = ['DOCKER-USER', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
  try {
    await run('iptables', ['-S', 'DOCKER-USER']);
  } catch {
    return async () => undefined;
  }
  await run('iptables', ['-I', ...rule]);
  return async () => {
    await run('iptables', ['-D', ...rule]).catch(() => undefined);
  };
}
