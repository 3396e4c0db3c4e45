/** Every service is started with its config and returns a handle; main.ts closes them all on one signal. */
export interface Service {
  readonly name: string;
  close(): Promise<void>;
}
