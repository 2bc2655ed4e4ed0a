import { Command, CommandRunner, SubCommand } from 'nest-commander';
import {
  messagePartStreamId,
  messageStreamId,
  seriesStreamId,
} from '../../../libs/domain/src/events';
import { PostgresEventStore } from '../../../libs/event-store/src/postgres-event-store';
import { print, UsageError, UUID } from './output';
import { timelineLine } from './timeline';

@SubCommand({
  name: 'message',
  arguments: '<id>',
  description: "A message's history: scheduled, changed, due, each part sent, each outcome",
})
export class AuditMessageCommand extends CommandRunner {
  constructor(private readonly store: PostgresEventStore) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    if (!id || !UUID.test(id)) throw new UsageError('audit message takes a message id (a UUID)');
    const events = await this.store.readStream(messageStreamId(id));
    if (events.length === 0) throw new UsageError(`No message ${id}`);
    await print(`Message ${id}: ${events.length} events`);
    for (const event of events) await print(timelineLine(event));
    // An audience's parts: each recipient's progress and outcome, in the part's own stream.
    const parts = events.find((event) => event.type === 'AudienceResolved');
    if (parts?.type !== 'AudienceResolved') return;
    for (let part = 1; part <= parts.data.parts; part++) {
      const ofPart = await this.store.readStream(messagePartStreamId(id, part));
      await print(`Part ${part} of ${parts.data.parts}: ${ofPart.length} events`);
      for (const event of ofPart) await print(timelineLine(event));
    }
  }
}

@SubCommand({
  name: 'subscriber',
  arguments: '<user_id|chat_id>',
  description:
    "A subscriber's history: subscriptions, chat moves, and every message addressed to them with its outcome",
})
export class AuditSubscriberCommand extends CommandRunner {
  constructor(private readonly store: PostgresEventStore) {
    super();
  }

  async run([key]: string[]): Promise<void> {
    if (!key) throw new UsageError('audit subscriber takes a user_id or a chat_id');
    // A chat may have been several users over time (unsubscribed, then a new subscription).
    const userIds = UUID.test(key) ? [key.toLowerCase()] : await this.store.subscribersOfChat(key);
    if (userIds.length === 0) throw new UsageError(`No subscriber with user_id or chat_id ${key}`);
    for (const userId of userIds) {
      // The subscriber's own stream, and the message events that name them.
      const events = await this.store.readNamingSubscriber(userId);
      await print(`Subscriber ${userId}: ${events.length} events`);
      for (const event of events) {
        const line = timelineLine(event);
        await print(event.streamId.startsWith('message-') ? `${line}  [${event.streamId}]` : line);
      }
    }
  }
}

@SubCommand({
  name: 'series',
  arguments: '<id>',
  description:
    "A recurring series' history: created, changed, paused, each occurrence planned, skipped, moved or missed, and what became of each occurrence's message",
})
export class AuditSeriesCommand extends CommandRunner {
  constructor(private readonly store: PostgresEventStore) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    if (!id || !UUID.test(id)) throw new UsageError('audit series takes a series id (a UUID)');
    const events = await this.store.readStream(seriesStreamId(id));
    if (events.length === 0) throw new UsageError(`No series ${id}`);
    await print(`Series ${id}: ${events.length} events`);
    for (const event of events) {
      await print(timelineLine(event));
      if (event.type !== 'OccurrencePlanned') continue;
      // Each occurrence's message, in one line: how it ended.
      const message = await this.store.readStream(messageStreamId(event.data.messageId));
      const last = message.at(-1);
      if (last) await print(`    └ message ${event.data.messageId}: ${last.type}`);
    }
  }
}

@Command({
  name: 'audit',
  arguments: '<message|subscriber|series> <id>',
  description: 'The history of a message, a subscriber or a series as a readable timeline',
  subCommands: [AuditMessageCommand, AuditSubscriberCommand, AuditSeriesCommand],
})
export class AuditCommand extends CommandRunner {
  run(): Promise<void> {
    return Promise.reject(
      new UsageError('audit message <id>, audit subscriber <user_id|chat_id> or audit series <id>'),
    );
  }
}
