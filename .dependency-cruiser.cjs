// The layer rules of docs/architecture.md, stated once and checked by `npm run lint`: arrows point inward,
// surfaces → domain ← storage/outbound, wired in the composition root (src/sandbox.ts, src/app.ts).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No module of src/ reaches itself through its imports (type-only imports included).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-stays-inside',
      severity: 'error',
      comment: 'The domain imports neither a surface, storage, outbound delivery, the conformance kit nor the config.',
      from: { path: '^src/domain/' },
      to: { path: ['^src/http/', '^src/storage/', '^src/outbound/', '^src/conformance/', '^src/config\\.ts$', '^src/catalogue-loader\\.ts$', '^src/schema-registry\\.ts$', '^src/sandbox\\.ts$', '^src/app\\.ts$'] },
    },
    {
      name: 'domain-reads-no-disk',
      severity: 'error',
      comment: 'No domain file touches the disk: the loader at the edge (src/catalogue-loader.ts) reads data/ and scenarios/.',
      from: { path: '^src/domain/' },
      to: { path: ['^fs$', '^fs/promises$', '^node:fs$', '^node:fs/promises$', '^src/project-root\\.ts$'] },
    },
    {
      name: 'storage-sees-ports-and-model',
      severity: 'error',
      comment: 'Storage imports only the domain\'s ports and model (and the records they name), never a service.',
      from: { path: '^src/storage/' },
      to: { path: '^src/domain/', pathNot: ['^src/domain/ports\\.ts$', '^src/domain/model\\.ts$', '^src/domain/tools/conformance-report\\.ts$'] },
    },
    {
      name: 'storage-stays-below',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: ['^src/http/', '^src/outbound/', '^src/conformance/', '^src/sandbox\\.ts$', '^src/app\\.ts$'] },
    },
    {
      name: 'surfaces-apart',
      severity: 'error',
      comment: 'A surface never imports another surface: what two share lives in src/http/ itself.',
      from: { path: '^src/http/([^/]+)/' },
      to: { path: '^src/http/([^/]+)/', pathNot: '^src/http/$1/' },
    },
    {
      name: 'surfaces-without-storage',
      severity: 'error',
      comment: 'Surfaces call domain services; they never see storage.',
      from: { path: '^src/http/' },
      to: { path: '^src/storage/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
