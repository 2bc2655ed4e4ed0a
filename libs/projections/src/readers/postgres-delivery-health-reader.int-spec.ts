import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  connectOrm,
  createTestDatabase,
  type TestDatabase,
} from '../../../../test/support/test-database';
import { CheckpointStore } from '../../../event-store/src/checkpoint-store';
import { PostgresDeliveryHealthReader } from './postgres-delivery-health-reader';

const BOUNDS = [0.25, 1, 5, 30, 60, 300, 3600];

describe('PostgresDeliveryHealthReader', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  const now = Date.now();
  const ago = (seconds: number) => new Date(now - seconds * 1000);

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await connectOrm(database.url);
  });
  afterAll(async () => {
    await orm.close(true);
    await database.drop();
  });

  /** A message due `scheduledSecondsAgo` ago, as the messages read model holds it. */
  async function message(scheduledAt: Date): Promise<string> {
    const id = randomUUID();
    await orm.em.fork().execute(
      `INSERT INTO messages (id, target_user_ids, text, scheduled_at, attachments, status, is_sent,
                             created_at, updated_at, last_position)
       VALUES (?, '[]', 'x', ?, '[]', 'sent', true, now(), now(), 1)`,
      [id, scheduledAt],
    );
    return id;
  }

  /** An outcome as the log records it, at a chosen time. */
  async function outcome(messageId: string, recordedAt: Date, failure?: string): Promise<void> {
    await orm.em.fork().execute(
      `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata, recorded_at)
       VALUES (?, ?, 1, ?, ?::jsonb, '{}', ?)`,
      [
        randomUUID(),
        `message-${messageId}-${randomUUID()}`,
        failure ? 'RecipientDeliveryFailed' : 'RecipientDelivered',
        JSON.stringify(
          failure
            ? { messageId, userId: randomUUID(), code: failure, reason: 'r' }
            : { messageId, userId: randomUUID(), chatId: '1', telegramMessageIds: [1] },
        ),
        recordedAt,
      ],
    );
  }

  it('counts the outcomes of the window by minute, lateness and failure code, and none before it', async () => {
    // Two hours ago: outside an hour's window.
    const old = await message(ago(7300));
    await outcome(old, ago(7200));
    await outcome(old, ago(7200), 'blocked');
    // In the window: 0.1 s, 3 s and 2 min late; two failures.
    const recent = await message(ago(600));
    await outcome(recent, ago(599.9));
    await outcome(recent, ago(597));
    await outcome(recent, ago(480));
    await outcome(recent, ago(480), 'blocked');
    await outcome(recent, ago(470), 'chat_not_found');
    await orm.em
      .fork()
      .execute(
        `INSERT INTO checkpoints (name, transaction_id, position) VALUES ('outbox', '0', 0)`,
      );

    const reader = new PostgresDeliveryHealthReader(orm, new CheckpointStore(orm));
    // The window starts after the two outcomes of two hours ago: they are not read at all.
    const firstSince = async (since: Date) => {
      const [row] = await orm.em
        .fork()
        .execute<{ first: string }[]>(
          'SELECT min(position) AS first FROM events WHERE recorded_at >= ?',
          [since],
        );
      return Number(row!.first);
    };
    expect(await reader.firstPositionSince(ago(3600))).toBe(await firstSince(ago(3600)));
    expect(await reader.firstPositionSince(ago(3600))).toBeGreaterThan(await firstSince(ago(7300)));
    expect(await reader.firstPositionSince(ago(7300))).toBe(await firstSince(ago(7300)));
    const figures = await reader.figures({
      since: ago(3600),
      latenessBoundsSeconds: BOUNDS,
    });

    expect(figures.sendsByMinute.reduce((sum, minute) => sum + minute.delivered, 0)).toBe(3);
    expect(figures.sendsByMinute.reduce((sum, minute) => sum + minute.failed, 0)).toBe(2);
    for (const minute of figures.sendsByMinute)
      expect(minute.minute.getTime()).toBeGreaterThanOrEqual(ago(3660).getTime());
    expect(figures.lateness.map((bucket) => [bucket.upToSeconds, bucket.recipients])).toEqual([
      [0.25, 1],
      [1, 0],
      [5, 1],
      [30, 0],
      [60, 0],
      [300, 1],
      [3600, 0],
      [null, 0],
    ]);
    expect(figures.failuresByCode).toEqual([
      { code: 'blocked', recipients: 1 },
      { code: 'chat_not_found', recipients: 1 },
    ]);
    expect(figures.followers).toEqual([
      { name: 'outbox', positionsBehind: 7, oldestBehindAt: expect.any(Date) },
    ]);
  });

  it('answers an empty log with empty figures', async () => {
    const empty = await createTestDatabase();
    const emptyOrm = await connectOrm(empty.url);
    try {
      const figures = await new PostgresDeliveryHealthReader(
        emptyOrm,
        new CheckpointStore(emptyOrm),
      ).figures({
        since: ago(3600),
        latenessBoundsSeconds: BOUNDS,
      });
      expect(figures.sendsByMinute).toEqual([]);
      expect(figures.failuresByCode).toEqual([]);
      expect(figures.lateness.every((bucket) => bucket.recipients === 0)).toBe(true);
    } finally {
      await emptyOrm.close(true);
      await empty.drop();
    }
  });
});
