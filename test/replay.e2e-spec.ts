import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { MikroORM } from '@mikro-orm/postgresql';
import { PendingDeadlinesFollower } from '../apps/scheduler/src/pending-deadlines.follower';
import { loadMessage } from '../libs/application/src/message-stream';
import { loadSubscriber } from '../libs/application/src/subscriber-stream';
import { DomainError } from '../libs/domain/src/errors';
import { messageStreamId, subscriberStreamId, type DomainEvent } from '../libs/domain/src/events';
import {
  decideScheduledMessage,
  partsToSend,
  type ScheduledMessageCommand,
} from '../libs/domain/src/scheduled-message';
import { decideSubscriber, type SubscriberCommand } from '../libs/domain/src/subscriber';
import { LogVerifier } from '../libs/domain/src/log-invariants';
import { CheckpointStore } from '../libs/event-store/src/checkpoint-store';
import { checkpointOf, LOG_START } from '../libs/event-store/src/event-store';
import { PostgresEventStore } from '../libs/event-store/src/postgres-event-store';
import { projectToReadModels } from '../libs/projections/src/read-model-projector';
import { ProjectionReplayer } from '../libs/projections/src/replay/projection-replayer';
import { connectOrm, createTestDatabase, type TestDatabase } from './support/test-database';

/** What a client, the bot, the scheduler or delivery may ask, as indices into what exists. */
type Step =
  | { kind: 'subscribe'; chat: number; name: string }
  | { kind: 'unsubscribe'; subscriber: number; blocked: boolean }
  | { kind: 'migrate'; subscriber: number }
  | {
      kind: 'schedule';
      recipients: number[];
      text: string;
      minutes: number;
      files: number;
      sender: string | null;
    }
  | { kind: 'cancel'; message: number }
  | { kind: 'reschedule'; message: number; minutes: number }
  | { kind: 'due'; message: number }
  | { kind: 'sent'; message: number; recipient: number; part: number }
  | { kind: 'failed'; message: number; recipient: number; part: number };

const index = fc.nat({ max: 7 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('subscribe' as const),
      chat: index,
      name: fc.string(),
    }),
  },
  fc.record({
    kind: fc.constant('unsubscribe' as const),
    subscriber: index,
    blocked: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('migrate' as const), subscriber: index }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('schedule' as const),
      recipients: fc.uniqueArray(index, { minLength: 1, maxLength: 4 }),
      text: fc.string({ minLength: 1, maxLength: 40 }),
      minutes: fc.integer({ min: -60, max: 600 }),
      files: fc.nat({ max: 2 }),
      sender: fc.option(fc.constantFrom('crm', 'ops', ''), { nil: null }),
    }),
  },
  fc.record({ kind: fc.constant('cancel' as const), message: index }),
  fc.record({
    kind: fc.constant('reschedule' as const),
    message: index,
    minutes: fc.integer({ min: -60, max: 600 }),
  }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('due' as const), message: index }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('sent' as const),
      message: index,
      recipient: index,
      part: fc.nat({ max: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('failed' as const),
      message: index,
      recipient: index,
      part: fc.nat({ max: 2 }),
    }),
  },
);

/** A sequence that records every type of event, run first, so that each is always compared. */
const EVERY_KIND_OF_EVENT: Step[] = [
  { kind: 'subscribe', chat: 0, name: 'Ada' },
  { kind: 'subscribe', chat: 1, name: 'Brian' },
  { kind: 'subscribe', chat: 2, name: 'Chen' },
  { kind: 'schedule', recipients: [0, 1], text: 'first', minutes: 10, files: 1, sender: 'crm' },
  { kind: 'schedule', recipients: [2], text: 'second', minutes: 20, files: 0, sender: null },
  { kind: 'due', message: 0 },
  { kind: 'sent', message: 0, recipient: 0, part: 0 },
  { kind: 'sent', message: 0, recipient: 0, part: 0 },
  { kind: 'failed', message: 0, recipient: 1, part: 0 },
  { kind: 'reschedule', message: 1, minutes: 30 },
  { kind: 'cancel', message: 1 },
  { kind: 'migrate', subscriber: 2 },
  { kind: 'unsubscribe', subscriber: 2, blocked: true },
  { kind: 'schedule', recipients: [0], text: 'third', minutes: 40, files: 2, sender: '' },
];

const TABLES = {
  subscribers: 'user_id',
  messages: 'id',
  message_recipients: 'message_id, user_id',
  scheduler_pending: 'message_id',
} as const;

describe('Projections are a fold of the log', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let store: PostgresEventStore;
  let follower: PendingDeadlinesFollower;
  let replayer: ProjectionReplayer;
  const metadata = { correlationId: 'property', causationId: null, actor: 'test' };

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await connectOrm(database.url);
    store = new PostgresEventStore(orm, projectToReadModels);
    follower = new PendingDeadlinesFollower(store, new CheckpointStore(orm), orm);
    replayer = new ProjectionReplayer(orm, store);
  });
  afterAll(async () => {
    await orm.close(true);
    await database.drop();
  });

  async function snapshot(): Promise<Record<string, unknown[]>> {
    const tables: Record<string, unknown[]> = {};
    for (const [table, key] of Object.entries(TABLES)) {
      const rows = await orm.em
        .fork()
        .execute<{ row: unknown }[]>(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY ${key}`);
      tables[table] = rows.map((entry) => entry.row);
    }
    return tables;
  }

  /** Runs the steps through the domain's deciders and the event store, as the apps do. */
  async function run(steps: readonly Step[]): Promise<void> {
    const subscribers: string[] = [];
    const messages: string[] = [];
    const due: string[] = [];
    const migrated = new Set<string>();
    const chats = Array.from({ length: 8 }, () =>
      String(1_000_000 + Math.floor(Math.random() * 1e9)),
    );
    const pick = <T>(items: readonly T[], at: number) =>
      items.length === 0 ? undefined : items[at % items.length];
    const base = Date.UTC(2030, 0, 1);

    const onSubscriber = async (userId: string, command: SubscriberCommand) => {
      const { state, version } = await loadSubscriber(store, userId);
      await append(subscriberStreamId(userId), decideSubscriber(command, state), version);
    };
    const onMessage = async (messageId: string, command: ScheduledMessageCommand) => {
      const { state, version } = await loadMessage(store, messageId);
      await append(messageStreamId(messageId), decideScheduledMessage(command, state), version);
    };
    const append = async (streamId: string, events: readonly DomainEvent[], version: number) => {
      if (events.length === 0) return;
      await store.append(streamId, events, {
        expectedVersion: version === 0 ? 'no_stream' : version,
        metadata,
      });
    };

    for (const next of steps) {
      try {
        switch (next.kind) {
          case 'subscribe': {
            const chatId = chats[next.chat]!;
            // A group that became a supergroup is gone: nobody writes to /start from it.
            if (migrated.has(chatId)) break;
            const rows = await orm.em
              .fork()
              .execute<{ user_id: string; status: string }[]>(
                'SELECT user_id, status FROM subscribers WHERE chat_id = ? ORDER BY updated_at DESC',
                [chatId],
              );
            const active = rows.find((row) => row.status === 'active');
            const userId = active ? randomUUID() : (rows[0]?.user_id ?? randomUUID());
            await onSubscriber(userId, {
              type: 'SubscribeUser',
              userId,
              chatId,
              chatName: next.name.trim() || 'someone',
              currentUserOfChat: active?.user_id ?? null,
            });
            if (!subscribers.includes(userId)) subscribers.push(userId);
            break;
          }
          case 'unsubscribe': {
            const userId = pick(subscribers, next.subscriber);
            if (userId)
              await onSubscriber(userId, {
                type: 'UnsubscribeUser',
                userId,
                reason: next.blocked ? 'blocked' : 'requested',
              });
            break;
          }
          case 'migrate': {
            // Telegram moves a group to one supergroup id of its own, derived here from the chat.
            const userId = pick(subscribers, next.subscriber);
            if (!userId) break;
            const { state } = await loadSubscriber(store, userId);
            if (state.status !== 'active' || state.chatId.startsWith('-100')) break;
            const [owner] = await orm.em
              .fork()
              .execute<{ user_id: string }[]>(
                "SELECT user_id FROM subscribers WHERE chat_id = ? AND status = 'active'",
                [`-100${state.chatId}`],
              );
            await onSubscriber(userId, {
              type: 'MigrateChat',
              userId,
              toChatId: `-100${state.chatId}`,
              currentUserOfChat: owner?.user_id ?? null,
            });
            migrated.add(state.chatId);
            break;
          }
          case 'schedule': {
            const recipients = [
              ...new Set(next.recipients.map((at) => pick(subscribers, at)).filter(Boolean)),
            ] as string[];
            if (recipients.length === 0) break;
            const statuses = await orm.em
              .fork()
              .execute<{ user_id: string; status: 'active' | 'unsubscribed' }[]>(
                `SELECT user_id, status FROM subscribers WHERE user_id IN (${recipients.map(() => '?').join(', ')})`,
                recipients,
              );
            const messageId = randomUUID();
            await onMessage(messageId, {
              type: 'ScheduleMessage',
              messageId,
              recipients,
              text: next.text.trim() || 'text',
              scheduledAt: new Date(base + next.minutes * 60_000),
              attachments: Array.from({ length: next.files }, (_, n) => ({
                objectKey: `attachments/${messageId}/${n}-file${n}.txt`,
                fileName: `file${n}.txt`,
                contentType: 'text/plain',
                declaredContentType: 'text/plain',
                size: 10 + n,
                sha256: 'a'.repeat(64),
                image: null,
              })),
              fromSender: next.sender,
              recipientStatus: new Map(statuses.map((row) => [row.user_id, row.status])),
              limits: {
                maxCount: 10,
                maxBytes: 1024,
                maxRecipients: 100,
                latest: new Date(base + 3_600_000 * 24 * 365),
              },
            });
            messages.push(messageId);
            break;
          }
          case 'cancel':
          case 'due':
          case 'reschedule': {
            const messageId = pick(messages, next.message);
            if (!messageId) break;
            if (next.kind === 'due') due.push(messageId);
            await onMessage(
              messageId,
              next.kind === 'cancel'
                ? { type: 'CancelMessage', messageId }
                : next.kind === 'due'
                  ? { type: 'MarkMessageDue', messageId, now: new Date(base + 3_600_000 * 24) }
                  : {
                      type: 'RescheduleMessage',
                      messageId,
                      scheduledAt: new Date(base + next.minutes * 60_000),
                    },
            );
            break;
          }
          case 'sent':
          case 'failed': {
            // Mostly messages that are due, where sends are recorded; now and then any message.
            const messageId = pick(next.part === 2 ? messages : due, next.message);
            if (!messageId) break;
            const { state } = await loadMessage(store, messageId);
            if (state.status === 'none') break;
            const userId = pick(state.recipients, next.recipient)!;
            const nextPart = partsToSend(state, userId)[0] ?? 0;
            await onMessage(
              messageId,
              next.kind === 'sent'
                ? {
                    type: 'RecordPartSent',
                    messageId,
                    userId,
                    chatId: '42',
                    part: nextPart,
                    telegramMessageId: 1000 + nextPart,
                    ...(nextPart > 0 ? { telegramFileId: `file-${nextPart}` } : {}),
                  }
                : {
                    type: 'RecordDeliveryFailure',
                    messageId,
                    userId,
                    code: 'blocked',
                    reason: 'Forbidden: bot was blocked by the user',
                  },
            );
            break;
          }
        }
      } catch (error) {
        // A step the domain refuses in this state (a subscribed chat, a message already due…)
        // appends nothing, as in the apps.
        if (!(error instanceof DomainError)) throw error;
      }
    }
    // The follower reads what every older transaction in the cluster has let through (other test
    // files' too): catch up until nothing committed lies beyond its checkpoint.
    for (const deadline = Date.now() + 30_000; ;) {
      await follower.catchUp();
      const [row] = await orm.em.fork().execute<{ behind: string }[]>(
        `SELECT count(*) AS behind FROM events e, checkpoints c
          WHERE c.name = 'scheduler-pending-deadlines'
            AND (e.transaction_id, e.position) > (c.transaction_id, c.position)`,
      );
      if (Number(row?.behind) === 0) break;
      if (Date.now() > deadline) throw new Error('The scheduler follower did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('rebuilds the same rows the live projections built, and the same again on a second replay', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 5, maxLength: 60, size: 'max' }),
        async (steps) => {
          runs++;
          await run(steps);
          const live = await snapshot();
          await replayer.replay();
          const replayed = await snapshot();
          await replayer.replay();
          const again = await snapshot();
          expect(replayed).toEqual(live);
          expect(again).toEqual(replayed);
        },
      ),
      { numRuns: 25, examples: [[EVERY_KIND_OF_EVENT]] },
    );
    expect(runs).toBeGreaterThanOrEqual(25);
    // What the deciders wrote keeps the log's invariants.
    const verifier = new LogVerifier();
    for (let after = LOG_START; ;) {
      const events = await store.readAll(after, 1000);
      if (events.length === 0) break;
      events.forEach((event) => verifier.check(event));
      after = checkpointOf(events.at(-1)!);
    }
    expect(verifier.violations).toEqual([]);
    const [total] = await orm.em
      .fork()
      .execute<{ count: string }[]>('SELECT count(*) AS count FROM events');
    expect(verifier.checked).toBe(Number(total?.count));
    // The runs built something worth comparing: rows in every table.
    const tables = await snapshot();
    for (const rows of Object.values(tables)) expect(rows.length).toBeGreaterThan(0);
    const types = await orm.em
      .fork()
      .execute<{ type: string }[]>('SELECT DISTINCT type FROM events');
    expect(types.map((row) => row.type).sort()).toEqual([
      'MessageCancelled',
      'MessageDue',
      'MessageRescheduled',
      'MessageScheduled',
      'MessageSent',
      'RecipientDelivered',
      'RecipientDeliveryFailed',
      'RecipientPartSent',
      'UserChatMigrated',
      'UserSubscribed',
      'UserUnsubscribed',
    ]);
    // fast-check's shrinking of a failure takes many runs: time enough to print its counterexample.
  }, 300_000);
});
