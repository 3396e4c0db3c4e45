/**
 * A launcher's signals: SIGUSR2 prints a stats line; SIGTERM and SIGINT print a last one, close the service
 * and exit (0 once it closed, 1 if closing failed).
 */
export function onLauncherSignals(
  service: { close(): Promise<void> },
  printStats: () => void,
): void {
  process.on('SIGUSR2', printStats);
  const stop = (): void => {
    printStats();
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
