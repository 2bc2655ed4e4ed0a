// Type-aware lint. `npm run lint` fails on any warning.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const infrastructurePackages = [
  '@nestjs/*',
  '@mikro-orm/*',
  'amqplib',
  'amqp-connection-manager',
  'telegraf',
  'nestjs-telegraf',
  'minio',
  'pg',
  'knex',
  'express',
  'multer',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.data/**',
      'eslint.config.mjs',
      '**/*.js',
      // Plain ES modules run by node as they are (kubernetes-models is ESM only); not TypeScript.
      'tools/deploy/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Nest resolves constructor parameters from emitted metadata: a type-only import would erase it.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/domain/**'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // The domain is plain TypeScript: no framework, ORM, broker or transport inside it.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: infrastructurePackages,
              message:
                'libs/domain must stay free of framework, ORM, broker and transport packages.',
            },
            {
              group: ['../../*', '**/apps/**', '**/libs/*/src/**'],
              message: 'libs/domain depends on nothing else in the repository.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
);
