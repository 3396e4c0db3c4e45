/**
 * The first ten lines of the small appliance.yaml the config and policy unit tests build on (one site "hq",
 * one release): each test appends its own lines, so the line:col its assertions name stay where they are.
 */
export const smallYamlHead = (bootServer: 'ftp' | 'http'): string => `appliance:
  address: 10.20.0.2
  interface: eth1
firmware:
  ucs: { version: 5.9.7.4477, folder: ucs }
defaults: { firmware: ucs }
sites:
  hq:
    subnet: 10.20.0.0/24
    pool: 10.20.0.100-10.20.0.199
    bootServer: { protocol: ${bootServer} }
`;
