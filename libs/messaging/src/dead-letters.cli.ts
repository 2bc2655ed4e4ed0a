import { loadConfig, RabbitMqConfig, readEnvironment } from '../../config/src';
import { countDeadLetters, redriveDeadLetters } from './dead-letters';

/** `npm run dead-letters` lists the count; `npm run dead-letters -- redrive` moves them back. */
async function main(): Promise<void> {
  const [rabbit] = loadConfig(readEnvironment(), [RabbitMqConfig]);
  if (process.argv[2] === 'redrive') {
    const moved = await redriveDeadLetters(rabbit.url, rabbit.exchange);
    process.stdout.write(
      `Moved ${moved.length} message(s) back to the delivery queue${moved.length ? `: ${moved.join(', ')}` : ''}\n`,
    );
    return;
  }
  process.stdout.write(
    `${await countDeadLetters(rabbit.url, rabbit.exchange)} message(s) in the delivery dead-letter queue\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
