import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  connectOrm,
  createTestDatabase,
  type TestDatabase,
} from '../../../../../test/support/test-database';
import { DEFAULT_SEND_OPTIONS, messageStreamId } from '../../../../domain/src/events';
import type { RecordPartSent } from '../../../../domain/src/scheduled-message';
import { EventStore } from '../../../../event-store/src/event-store';
import { PostgresEventStore } from '../../../../event-store/src/postgres-event-store';
import { projectToReadModels } from '../../../../projections/src/read-model-projector';
import { ManualClock } from '../../../../runtime/src/clock';
import { loadMessage, MessageStreamCache } from '../../message-stream';
import type { KnownMessage } from './delivery-plan';
import { DeliveryRun, OutcomeRecorder, RECORD_RETRY_FOR_MS } from './outcome-recorder';
import { RetryPolicy } from './retry-policy';

/** The real store, with appends that fail as a database going away makes them fail. */
class FlakyStore extends EventStore {
  /** How the next appends go: fail before writing, or write and then lose the answer. */
  readonly next: ('fail' | 'lose-answer')[] = [];

  constructor(private readonly store: PostgresEventStore) {
    super();
  }

  override async append(...args: Parameters<EventStore['append']>) {
    const how = this.next.shift();
    if (how === 'fail') throw new Error('Connection terminated unexpectedly');
    const result = await this.store.append(...args);
    if (how === 'lose-answer') throw new Error('Connection terminated unexpectedly');
    return result;
  }
  override readStream(...args: Parameters<EventStore['readStream']>) {
    return this.store.readStream(...args);
  }
  override readStreams(...args: Parameters<EventStore['readStreams']>) {
    return this.store.readStreams(...args);
  }
  override readAll(...args: Parameters<EventStore['readAll']>) {
    return this.store.readAll(...args);
  }
  override checkpointAt(position: number) {
    return this.store.checkpointAt(position);
  }
  override endOfLog() {
    return this.store.endOfLog();
  }
  override readLatest(types: readonly string[], limit: number) {
    return this.store.readLatest(types, limit);
  }
  override readStreamsOfType(streamIds: readonly string[], types: readonly string[]) {
    return this.store.readStreamsOfType(streamIds, types);
  }
}

describe('OutcomeRecorder, on the real Postgres event store', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let postgres: PostgresEventStore;
  const metadata = { correlationId: 'c', causationId: null, actor: 'delivery' };

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await connectOrm(database.url);
    postgres = new PostgresEventStore(orm, projectToReadModels);
  });
  afterAll(async () => {
    await orm.close(true);
    await database.drop();
  });

  /** A due message to three recipients, text only, and a run over it as delivery starts one. */
  async function dueMessage(): Promise<{ run: DeliveryRun; recipients: string[] }> {
    const messageId = randomUUID();
    const recipients = [randomUUID(), randomUUID(), randomUUID()];
    const scheduledAt = '2030-01-01T00:00:00.000Z';
    await postgres.append(
      messageStreamId(messageId),
      [
        {
          type: 'MessageScheduled',
          data: {
            messageId,
            recipients,
            text: 'hi',
            scheduledAt,
            attachments: [],
            fromSender: null,
            series: null,
            audience: null,
            paidBroadcast: false,
            sendOptions: DEFAULT_SEND_OPTIONS,
            buttons: [],
          },
        },
        { type: 'MessageDue', data: { messageId, scheduledAt } },
      ],
      { expectedVersion: 'no_stream', metadata },
    );
    const { state, version } = await loadMessage(postgres, messageId);
    return {
      run: new DeliveryRun(
        messageId,
        messageStreamId(messageId),
        null,
        state as KnownMessage,
        version,
        metadata,
      ),
      recipients,
    };
  }

  const partSent = (run: DeliveryRun, userId: string, telegramMessageId = 1): RecordPartSent => ({
    type: 'RecordPartSent',
    messageId: run.messageId,
    userId,
    chatId: '42',
    part: 0,
    telegramMessageId,
  });

  const types = async (run: DeliveryRun) =>
    (await postgres.readStream(messageStreamId(run.messageId))).map((event) => event.type);

  it('records outcomes of recipients served at once one append at a time, at contiguous versions', async () => {
    const { run, recipients } = await dueMessage();
    const recorder = new OutcomeRecorder(
      postgres,
      new ManualClock(new Date()),
      new RetryPolicy(new ManualClock(new Date())),
      new MessageStreamCache(postgres),
    );
    await Promise.all(recipients.map((userId) => recorder.record(run, partSent(run, userId))));
    expect(await types(run)).toEqual([
      'MessageScheduled',
      'MessageDue',
      ...recipients.flatMap(() => ['RecipientPartSent', 'RecipientDelivered']),
      'MessageSent',
    ]);
    expect(run.version).toBe(9);
    expect(run.state.status).toBe('sent');
  });

  it('reads the stream again when another process recorded first, and appends only what is missing', async () => {
    const { run, recipients } = await dueMessage();
    const clock = new ManualClock(new Date());
    const recorder = new OutcomeRecorder(
      postgres,
      clock,
      new RetryPolicy(clock),
      new MessageStreamCache(postgres),
    );
    // Another delivery process records the first recipient's text behind this run's back.
    const other = new DeliveryRun(
      run.messageId,
      run.streamId,
      null,
      run.state,
      run.version,
      metadata,
    );
    await new OutcomeRecorder(
      postgres,
      clock,
      new RetryPolicy(clock),
      new MessageStreamCache(postgres),
    ).record(other, partSent(other, recipients[0]!, 7));
    await recorder.record(run, partSent(run, recipients[0]!, 8));
    await recorder.record(run, partSent(run, recipients[1]!));
    const events = await postgres.readStream(messageStreamId(run.messageId));
    const sent = events.filter((event) => event.type === 'RecipientPartSent');
    expect(sent.map((event) => event.type === 'RecipientPartSent' && event.data.userId)).toEqual([
      recipients[0],
      recipients[1],
    ]);
    // The record that stands is the first one's.
    expect(sent[0]?.type === 'RecipientPartSent' && sent[0].data.telegramMessageId).toBe(7);
    expect(run.version).toBe(events.length);
  });

  it('waits out a database that fails, with a growing pause, and records once', async () => {
    const { run, recipients } = await dueMessage();
    const flaky = new FlakyStore(postgres);
    const clock = new ManualClock(new Date());
    const started = clock.now().getTime();
    const recorder = new OutcomeRecorder(
      flaky,
      clock,
      new RetryPolicy(clock),
      new MessageStreamCache(postgres),
    );
    flaky.next.push('fail', 'fail', 'fail');
    await recorder.record(run, partSent(run, recipients[0]!));
    expect(clock.now().getTime() - started).toBe(500 + 1000 + 2000);
    expect((await types(run)).filter((type) => type === 'RecipientPartSent')).toHaveLength(1);
  });

  it('does not record twice when an append committed but its answer was lost', async () => {
    const { run, recipients } = await dueMessage();
    const flaky = new FlakyStore(postgres);
    const clock = new ManualClock(new Date());
    const recorder = new OutcomeRecorder(
      flaky,
      clock,
      new RetryPolicy(clock),
      new MessageStreamCache(postgres),
    );
    flaky.next.push('lose-answer');
    await recorder.record(run, partSent(run, recipients[0]!));
    expect(await types(run)).toEqual([
      'MessageScheduled',
      'MessageDue',
      'RecipientPartSent',
      'RecipientDelivered',
    ]);
    expect(run.version).toBe(4);
  });

  it('gives up once the database has been away longer than it waits', async () => {
    const { run, recipients } = await dueMessage();
    const flaky = new FlakyStore(postgres);
    const clock = new ManualClock(new Date());
    const started = clock.now().getTime();
    const recorder = new OutcomeRecorder(
      flaky,
      clock,
      new RetryPolicy(clock),
      new MessageStreamCache(postgres),
    );
    flaky.next.push(...Array.from({ length: 100 }, () => 'fail' as const));
    await expect(recorder.record(run, partSent(run, recipients[0]!))).rejects.toThrow(
      'Connection terminated',
    );
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(RECORD_RETRY_FOR_MS);
    expect(await types(run)).toEqual(['MessageScheduled', 'MessageDue']);
  });
});
