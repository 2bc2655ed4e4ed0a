/**
 * The layer rules, checked by `npm run check:layers` (part of `npm test`). Tests (`*.spec.ts`,
 * `*.int-spec.ts`) may reach across layers to set things up; the code they test may not.
 */
const TESTS = '\\.(spec|int-spec|e2e-spec|fault-spec)\\.ts$|\\.contract\\.ts$';

/** Packages that are infrastructure: an ORM, a database driver, a broker, an HTTP client or server, Telegram, object storage. */
const INFRASTRUCTURE_PACKAGES =
  '(^|/)node_modules/(@mikro-orm|pg|pg-[^/]+|knex|amqplib|amqp-connection-manager|@nestjs/microservices|@nestjs/platform-express|express|multer|telegraf|nestjs-telegraf|minio|undici|axios|node-fetch|ioredis)/';

/** Our libraries that implement ports: the application layer reaches them only through ports. */
const INFRASTRUCTURE_LIBS = '^libs/(projections|database|storage|telegram|messaging)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'libs/domain holds the rules as pure functions and types: it imports nothing but itself (no framework, no infrastructure, no Node module), and immutable, whose persistent maps keep a fold over thousands of outcomes linear.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: ['^libs/domain/', '^node_modules/immutable/'] },
    },
    {
      name: 'application-uses-ports',
      comment:
        'libs/application talks to ports it owns (readers, the event store, the Telegram sender, attachment storage, the clock), never to an ORM, a driver, a broker or an HTTP client, nor to the libraries that implement the ports.',
      severity: 'error',
      from: { path: '^libs/application/', pathNot: TESTS },
      to: {
        path: [
          INFRASTRUCTURE_PACKAGES,
          INFRASTRUCTURE_LIBS,
          // The event store lib: only its port (the EventStore class and its types).
          '^libs/event-store/src/(?!event-store\\.ts$)',
          // The runtime lib: only the clock.
          '^libs/runtime/src/(?!clock\\.ts$)',
        ],
      },
    },
    {
      name: 'application-makes-no-http-calls',
      comment: 'The application layer opens no connection of its own: that is what ports are for.',
      severity: 'error',
      from: { path: '^libs/application/', pathNot: TESTS },
      to: { dependencyTypes: ['core'], path: '^(node:)?(http|https|http2|net|tls|dgram)$' },
    },
    {
      name: 'libs-never-import-apps',
      comment: 'Apps wire libraries together; a library never depends on an app.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-are-independent',
      comment: 'An app never imports another app: what two apps share belongs in libs/.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'console-is-an-api-client',
      comment:
        'The web console runs in the browser and knows the system only through its public HTTP API: it imports nothing of the server side.',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: {
        path: ['^libs/', '^apps/(?!console/)', '^node_modules/(@nestjs|@mikro-orm|pg|amqplib)/'],
      },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves (a rule can only hold for imports it can see).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // Type-only imports count: a layer that names another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The build is CommonJS: resolve packages as `require` does.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'node', 'default'],
    },
  },
};
