/**
 * The layer rules of src/ (checked by `npm test` through test/layers.test.ts). Lowest first:
 *   shared → config → policy → tree → runtime → protocols (dhcp tftp ftp http sip ntp syslog) → inventory → admin → cli, main.ts
 * A module imports only from its own layer's folder or from layers below it. Protocols never import each other;
 * codecs import nothing but their own folder and shared/. Shipped code never imports tests or test support.
 */
const PROTOCOLS = '(dhcp|tftp|ftp|http|sip|ntp|syslog)';
const ABOVE = {
  shared: `^src/(config|policy|tree|runtime|${PROTOCOLS.slice(1, -1)}|inventory|admin|cli)/|^src/main\\.ts$`,
  config: `^src/(policy|tree|runtime|${PROTOCOLS.slice(1, -1)}|inventory|admin|cli)/|^src/main\\.ts$`,
  policy: `^src/(tree|runtime|${PROTOCOLS.slice(1, -1)}|inventory|admin|cli)/|^src/main\\.ts$`,
  tree: `^src/(runtime|${PROTOCOLS.slice(1, -1)}|inventory|admin|cli)/|^src/main\\.ts$`,
  runtime: `^src/(${PROTOCOLS.slice(1, -1)}|inventory|admin|cli)/|^src/main\\.ts$`,
  inventory: '^src/(admin|cli)/|^src/main\\.ts$',
  admin: '^src/cli/|^src/main\\.ts$',
};

const layerRules = Object.entries(ABOVE).map(([layer, above]) => ({
  name: `${layer}-imports-down`,
  comment: `${layer}/ imports only from itself and the layers below it`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: above },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'protocols-independent',
      comment: 'a protocol front-end never imports another protocol',
      severity: 'error',
      from: { path: `^src/${PROTOCOLS}/` },
      to: { path: `^src/${PROTOCOLS}/`, pathNot: '^src/$1/' },
    },
    {
      name: 'protocols-below-inventory',
      comment: 'protocols emit events; they do not know the inventory, the admin side or the CLI',
      severity: 'error',
      from: { path: `^src/${PROTOCOLS}/` },
      to: { path: '^src/(inventory|admin|cli)/|^src/main\\.ts$' },
    },
    {
      name: 'admin-through-interfaces',
      comment: 'admin/ and inventory/ reach the file and DHCP services only through runtime/ interfaces',
      severity: 'error',
      from: { path: '^src/(admin|inventory)/' },
      to: { path: '^src/(dhcp|tftp|ftp|http)/' },
    },
    {
      name: 'codecs-pure',
      comment: 'a codec imports only its own folder and shared/',
      severity: 'error',
      from: { path: '^src/([^/]+)/codec/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/$1/codec/', '^src/shared/'] },
    },
    {
      name: 'shipped-code-has-no-tests',
      comment: 'code under src/ that ships never imports tests, test support, benchmarks or the simulator',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: ['^(test|bench|phonesim)/', '\\.test\\.ts$', '/testdata/'] },
    },
    {
      name: 'test-support-one-way',
      comment: 'test support and benchmarks use shipped code only, never a test or another test folder',
      severity: 'error',
      from: { path: '^(test|bench)/' },
      to: { path: ['^src/.*\\.test\\.ts$', '^src/.*/testdata/'] },
    },
    {
      name: 'phonesim-independent',
      comment: 'the simulator is an independent check on the appliance: it shares only codecs, shared/, the model catalog and option 60',
      severity: 'error',
      from: { path: '^phonesim/' },
      to: { path: '^src/', pathNot: ['^src/shared/', '^src/[^/]+/codec/', '^src/config/catalog\\.(ts|json)$', '^src/policy/vendor-class\\.ts$'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
