/**
 * The contract between main.ts and the services: every service is started with its dependencies
 * (runtime/deps.ts) and returns a handle; one signal handler in main.ts closes them all.
 */
export interface Service {
  readonly name: string;
  close(): Promise<void>;
}
