import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** Runs the project's layer rules over a tree of files laid out as the repository is. */
async function cruise(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'layers-'));
  try {
    await symlink(join(ROOT, 'node_modules'), join(directory, 'node_modules'));
    await writeFile(
      join(directory, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', strict: true } }),
    );
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(directory, path)), { recursive: true });
      await writeFile(join(directory, path), content);
    }
    return await new Promise((done) =>
      execFile(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'),
          'apps',
          'libs',
          '--config',
          join(ROOT, '.dependency-cruiser.js'),
        ],
        { cwd: directory },
        (error, stdout, stderr) =>
          done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      ),
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

describe('The layer rules (npm run check:layers)', () => {
  it('pass a tree that keeps them', async () => {
    const { code, output } = await cruise({
      'libs/domain/src/rules.ts': 'export const rule = 1;\n',
      'libs/application/src/use-case.ts':
        "import { rule } from '../../domain/src/rules';\nimport { EventStore } from '../../event-store/src/event-store';\nexport const useCase = [rule, EventStore];\n",
      'libs/event-store/src/event-store.ts': 'export abstract class EventStore {}\n',
      'apps/api/src/main.ts':
        "import { useCase } from '../../../libs/application/src/use-case';\nexport const main = useCase;\n",
    });
    expect({ code, output }).toMatchObject({ code: 0 });
  });

  it('fail on each kind of crossing, naming the rule', async () => {
    const { code, output } = await cruise({
      'libs/domain/src/rules.ts':
        "import { useCase } from '../../application/src/use-case';\nexport const rule = useCase;\n",
      'libs/application/src/use-case.ts': [
        "import { MikroORM } from '@mikro-orm/postgresql';",
        "import { request } from 'node:http';",
        "import { reader } from '../../projections/src/reader';",
        "import { PostgresEventStore } from '../../event-store/src/postgres-event-store';",
        'export const useCase = [MikroORM, request, reader, PostgresEventStore];',
        '',
      ].join('\n'),
      'libs/projections/src/reader.ts':
        "import { main } from '../../../apps/api/src/main';\nexport const reader = main;\n",
      'libs/event-store/src/postgres-event-store.ts': 'export class PostgresEventStore {}\n',
      'apps/api/src/main.ts': 'export const main = 1;\n',
      'apps/delivery/src/main.ts':
        "import { main } from '../../api/src/main';\nexport const delivery = main;\n",
      'apps/console/src/page.ts':
        "import { rule } from '../../../libs/domain/src/rules';\nexport const page = rule;\n",
    });
    expect(code).not.toBe(0);
    for (const violation of [
      'domain-is-pure: libs/domain/src/rules.ts → libs/application/src/use-case.ts',
      'application-uses-ports: libs/application/src/use-case.ts → libs/projections/src/reader.ts',
      'application-uses-ports: libs/application/src/use-case.ts → libs/event-store/src/postgres-event-store.ts',
      'application-makes-no-http-calls: libs/application/src/use-case.ts → http',
      'libs-never-import-apps: libs/projections/src/reader.ts → apps/api/src/main.ts',
      'apps-are-independent: apps/delivery/src/main.ts → apps/api/src/main.ts',
      'console-is-an-api-client: apps/console/src/page.ts → libs/domain/src/rules.ts',
    ])
      expect(output).toContain(violation);
    expect(output).toMatch(
      /application-uses-ports: libs\/application\/src\/use-case\.ts → \S*node_modules\/@mikro-orm\/postgresql\//,
    );
  });
});
