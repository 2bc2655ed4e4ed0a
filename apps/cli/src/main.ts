import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { DatabaseConfig, loadConfig, readEnvironment } from '../../../libs/config/src';
import { ConfigError } from '../../../libs/config/src/env-reader';
import { EXIT_CONFIG_ERROR } from '../../../libs/runtime/src/run-app';
import { CliModule } from './cli.module';
import { say, UsageError } from './output';

function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    say(`cli: ${error.message}`);
    process.exit(EXIT_CONFIG_ERROR);
  }
  if (error instanceof UsageError) {
    say(error.message);
    process.exit(2);
  }
  say(`cli: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = loadConfig(readEnvironment(), [DatabaseConfig]);
  await CommandFactory.run(CliModule.forRoot(config), {
    logger: false,
    cliName: 'npm run cli --',
    serviceErrorHandler: fail,
    errorHandler: (error) => {
      // commander's own exits: --help, unknown command or option (it has said why).
      const code = (error as { exitCode?: number }).exitCode ?? 2;
      process.exit(code);
    },
  });
}

main().catch(fail);
