// Import rules between the fixed top-level folders (architecture.md, "Top-level layout").
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'resources-import-nothing-of-ours',
      comment: 'resources/ is the model: it may import nothing else of ours.',
      severity: 'error',
      from: { path: '^resources/' },
      to: { path: '^(controllers|runtime|api|image|kernel-config|e2e)/' },
    },
    {
      name: 'controllers-layer',
      comment: 'controllers/ may import resources/ and host adapters in runtime/ (runtime/host, runtime/controller).',
      severity: 'error',
      from: { path: '^controllers/' },
      to: { path: '^(api|image|e2e)/' },
    },
    {
      name: 'runtime-layer',
      comment: 'runtime/ may import resources/ only; runtime/machined/ is the composition root and also lists controllers/.',
      severity: 'error',
      from: { path: '^runtime/', pathNot: '(\\.test\\.ts$|^runtime/machined/)' },
      to: { path: '^(controllers|api|image|e2e)/' },
    },
    {
      name: 'machined-composes-the-api-server-only',
      comment: 'machined starts the API server; it never imports the client or the CLI.',
      severity: 'error',
      from: { path: '^runtime/machined/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(api/cli|api/client|image|e2e)/' },
    },
    {
      name: 'cli-imports-only-the-client',
      comment: 'osctl talks to nodes through api/client; it never reaches into the server or the daemon (tests and their fixtures may, to start a real server).',
      severity: 'error',
      from: { path: '^api/(cli|client)/', pathNot: '\\.(test|fixture)\\.ts$' },
      to: { path: '^(runtime|controllers|api/server)/' },
    },
    {
      name: 'no-production-imports-of-tests',
      severity: 'error',
      from: { pathNot: '(\\.test\\.ts$|^e2e/)' },
      to: { path: '\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
