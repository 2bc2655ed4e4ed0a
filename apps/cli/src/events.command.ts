import { setTimeout as sleep } from 'node:timers/promises';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import {
  checkpointOf,
  LOG_START,
  type LogCheckpoint,
  type StoredEvent,
} from '../../../libs/event-store/src/event-store';
import { PostgresEventStore } from '../../../libs/event-store/src/postgres-event-store';
import { parsePosition, print, UsageError } from './output';
import { timelineLine } from './timeline';

const BATCH = 5_000;
const POLL_MS = 250;

/** One event as a JSON line: what other tools read. */
export const toJsonLine = (event: StoredEvent) =>
  JSON.stringify({
    position: event.position,
    event_id: event.eventId,
    stream_id: event.streamId,
    stream_version: event.streamVersion,
    type: event.type,
    schema_version: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recorded_at: event.recordedAt.toISOString(),
  });

interface TailOptions {
  from?: number;
  type?: string;
  json?: boolean;
}

@SubCommand({
  name: 'tail',
  description:
    'Follows the log live, one line per event (Ctrl+C stops); from the end, or from --from <position>',
})
export class EventsTailCommand extends CommandRunner {
  constructor(private readonly store: PostgresEventStore) {
    super();
  }

  @Option({ flags: '--from <position>', description: 'start at this log position' })
  parseFrom(value: string): number {
    return parsePosition(value, '--from');
  }

  @Option({ flags: '--type <type>', description: 'only events of this type' })
  parseType(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'JSON lines instead of a readable timeline' })
  parseJson(): boolean {
    return true;
  }

  async run(_: string[], options: TailOptions = {}): Promise<void> {
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      // Without --from: what is appended from now on. With it: from the start of the log,
      // showing positions from --from on (positions are not in commit order; see README).
      let after: LogCheckpoint =
        options.from === undefined ? await this.store.endOfLog() : LOG_START;
      // On stderr, so that JSON lines on stdout stay only events: from here on nothing is missed.
      process.stderr.write(
        `Following the log${options.from === undefined ? ' from now' : ` from position ${options.from}`}; Ctrl-C stops.\n`,
      );
      while (!stop.signal.aborted) {
        const events = await this.store.readAll(after, BATCH);
        for (const event of events) {
          if (options.from !== undefined && event.position < options.from) continue;
          if (options.type !== undefined && event.type !== options.type) continue;
          await print(options.json ? toJsonLine(event) : timelineLine(event));
        }
        if (events.length > 0) after = checkpointOf(events.at(-1)!);
        if (events.length < BATCH)
          await sleep(POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

interface ExportOptions {
  from?: number;
  to?: number;
}

@SubCommand({
  name: 'export',
  description:
    'Writes the log as JSON lines on stdout, in log order: every event committed now, or those with --from <= position < --to',
})
export class EventsExportCommand extends CommandRunner {
  constructor(private readonly store: PostgresEventStore) {
    super();
  }

  @Option({ flags: '--from <position>', description: 'the first position (inclusive)' })
  parseFrom(value: string): number {
    return parsePosition(value, '--from');
  }

  @Option({ flags: '--to <position>', description: 'the last position (exclusive)' })
  parseTo(value: string): number {
    return parsePosition(value, '--to');
  }

  async run(_: string[], options: ExportOptions = {}): Promise<void> {
    const { from = 0, to = Number.MAX_SAFE_INTEGER } = options;
    if (from >= to) throw new UsageError('--from must be below --to');
    for (let after = LOG_START; ;) {
      const events = await this.store.readAll(after, BATCH);
      if (events.length === 0) return;
      for (const event of events) {
        if (event.position >= from && event.position < to) await print(toJsonLine(event));
      }
      after = checkpointOf(events.at(-1)!);
    }
  }
}

@Command({
  name: 'events',
  arguments: '<tail|export>',
  description: 'Follow the log live, or export it as JSON lines',
  subCommands: [EventsTailCommand, EventsExportCommand],
})
export class EventsCommand extends CommandRunner {
  run(): Promise<void> {
    return Promise.reject(
      new UsageError('events tail [--from] [--type] [--json] or events export [--from] [--to]'),
    );
  }
}
