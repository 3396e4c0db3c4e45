/**
 * The set-up the file-service integration tests share: one appliance folder, the FTP service in a lab of
 * namespaces, and the HTTP and TFTP services beside it when asked, started before a file's tests and always
 * stopped and deleted after them (node:test hooks).
 */
import { after, before } from 'node:test';
import {
  type ApplianceDir,
  type ApplianceDirSpec,
  type Launched,
  launchService,
  makeApplianceDir,
  removeDir,
  type ServiceLab,
  startServiceLab,
} from './service-lab.ts';

export interface FileServicesSuite {
  app(): ApplianceDir;
  lab(): ServiceLab;
  /** The HTTP or TFTP service launched beside FTP. */
  service(protocol: 'http' | 'tftp'): Launched;
}

export function fileServicesSuite(o: {
  readonly skip: string | false;
  readonly prefix: string;
  readonly subnet: string;
  readonly dir: ApplianceDirSpec;
  readonly hosts?: readonly string[];
  readonly also?: readonly ('http' | 'tftp')[];
}): FileServicesSuite {
  let app: ApplianceDir | undefined;
  let lab: ServiceLab | undefined;
  const launched = new Map<string, Launched>();
  before(async () => {
    if (o.skip) return;
    app = await makeApplianceDir(o.dir);
    lab = await startServiceLab({
      protocol: 'ftp',
      prefix: o.prefix,
      subnet: o.subnet,
      yaml: app.yaml,
      ...(o.hosts ? { hosts: o.hosts } : {}),
    });
    for (const protocol of o.also ?? [])
      launched.set(
        protocol,
        await launchService(lab.lab, {
          protocol,
          yaml: app.yaml,
          subnet: o.subnet,
        }),
      );
  });
  after(async () => {
    try {
      for (const s of [...launched.values()].reverse()) await s.stop();
      await lab?.destroy();
    } finally {
      await removeDir(app);
    }
  });
  return {
    app: () => app!,
    lab: () => lab!,
    service: (protocol) => launched.get(protocol)!,
  };
}
