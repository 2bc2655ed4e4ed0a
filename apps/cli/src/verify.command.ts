import { Command, CommandRunner } from 'nest-commander';
import { LogVerifier } from '../../../libs/domain/src/log-invariants';
import { checkpointOf, LOG_START } from '../../../libs/event-store/src/event-store';
import { PostgresEventStore } from '../../../libs/event-store/src/postgres-event-store';
import { print } from './output';

const BATCH = 10_000;

@Command({
  name: 'verify',
  description:
    "Checks the log's invariants (contiguous versions, message lifecycle, outcomes before MessageSent, nothing after the end) and lists every violation; exit code 1 if any",
})
export class VerifyCommand extends CommandRunner {
  constructor(private readonly store: PostgresEventStore) {
    super();
  }

  async run(): Promise<void> {
    const verifier = new LogVerifier();
    for (let after = LOG_START; ;) {
      const events = await this.store.readAll(after, BATCH);
      if (events.length === 0) break;
      for (const event of events) verifier.check(event);
      after = checkpointOf(events.at(-1)!);
    }
    for (const violation of verifier.violations) {
      await print(
        `#${violation.position}  ${violation.streamId}  ${violation.type}  ${violation.rule}: ${violation.message}`,
      );
    }
    await print(
      `Checked ${verifier.checked} events: ${verifier.violations.length === 0 ? 'no violations' : `${verifier.violations.length} violation(s)`}`,
    );
    if (verifier.violations.length > 0) process.exitCode = 1;
  }
}
