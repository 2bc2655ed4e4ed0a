import { randomUUID } from 'node:crypto';
import type { LogCheckpoint, NewEvent, StoredEvent } from './event-store';
import {
  ChatAlreadyHeldError,
  DuplicateEventIdError,
  type EventMetadata,
  type ExpectedVersion,
  type EventStore,
  LOG_START,
  checkpointOf,
  StreamVersionConflictError,
} from './event-store';

/**
 * The behaviour every event store implementation must have. Each implementation's test file
 * calls this with a factory; the suite assumes nothing about what else is in the store.
 */
export function eventStoreContract(
  name: string,
  setup: () => Promise<{ store: EventStore; teardown: () => Promise<void> }>,
): void {
  describe(`${name} (event store contract)`, () => {
    let store: EventStore;
    let teardown: () => Promise<void>;

    beforeAll(async () => {
      ({ store, teardown } = await setup());
    });
    afterAll(async () => teardown());

    const metadata: EventMetadata = {
      correlationId: randomUUID(),
      causationId: null,
      actor: 'test',
    };
    const subscribed = (userId = randomUUID()): NewEvent => ({
      type: 'UserSubscribed',
      data: {
        userId,
        chatId: String(Math.floor(Math.random() * 1e9)),
        chatName: 'tester',
        profile: null,
        chatType: null,
      },
    });
    const unsubscribed = (userId = randomUUID()): NewEvent => ({
      type: 'UserUnsubscribed',
      data: { userId, chatId: '1', reason: 'requested' },
    });

    it('appends to a new stream and reads it back in order with contiguous versions', async () => {
      const stream = `subscriber-${randomUUID()}`;
      const result = await store.append(stream, [subscribed(), unsubscribed()], {
        expectedVersion: 'no_stream',
        metadata,
      });
      expect(result.streamVersion).toBe(2);
      expect(result.alreadyStored).toBe(false);
      const events = await store.readStream(stream);
      expect(events.map((event) => [event.type, event.streamVersion])).toEqual([
        ['UserSubscribed', 1],
        ['UserUnsubscribed', 2],
      ]);
      expect(events[0]?.metadata).toEqual(metadata);
      expect(events[0]?.recordedAt).toBeInstanceOf(Date);
      expect(events[1]!.position).toBeGreaterThan(events[0]!.position);
    });

    it('reads an unknown stream as empty', async () => {
      expect(await store.readStream(`nothing-${randomUUID()}`)).toEqual([]);
    });

    it('refuses an append whose expected version is not the current one', async () => {
      const stream = `subscriber-${randomUUID()}`;
      await store.append(stream, [subscribed()], { expectedVersion: 'no_stream', metadata });
      await expect(
        store.append(stream, [unsubscribed()], { expectedVersion: 'no_stream', metadata }),
      ).rejects.toBeInstanceOf(StreamVersionConflictError);
      await expect(
        store.append(stream, [unsubscribed()], { expectedVersion: 2, metadata }),
      ).rejects.toBeInstanceOf(StreamVersionConflictError);
      await store.append(stream, [unsubscribed()], { expectedVersion: 1, metadata });
      await store.append(stream, [unsubscribed()], { expectedVersion: 'any', metadata });
      expect((await store.readStream(stream)).map((event) => event.streamVersion)).toEqual([
        1, 2, 3,
      ]);
    });

    it('lets exactly one of many concurrent appends at the same version win', async () => {
      const stream = `message-${randomUUID()}`;
      await store.append(stream, [subscribed()], { expectedVersion: 'no_stream', metadata });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, () =>
          store.append(stream, [unsubscribed(), unsubscribed()], {
            expectedVersion: 1,
            metadata,
          }),
        ),
      );
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter(
        (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
      );
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(11);
      for (const outcome of lost) {
        expect(outcome.reason).toBeInstanceOf(StreamVersionConflictError);
      }
      expect((await store.readStream(stream)).map((event) => event.streamVersion)).toEqual([
        1, 2, 3,
      ]);
    });

    it('stores an event id once: appending it again is a no-op that reports the stored events', async () => {
      const stream = `subscriber-${randomUUID()}`;
      const event = { ...subscribed(), eventId: randomUUID() };
      const first = await store.append(stream, [event], { expectedVersion: 'no_stream', metadata });
      const again = await store.append(stream, [event], { expectedVersion: 'no_stream', metadata });
      expect(again.alreadyStored).toBe(true);
      expect(again.events.map((stored) => stored.position)).toEqual(
        first.events.map((stored) => stored.position),
      );
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('stores an event id once even when the same append runs concurrently', async () => {
      const stream = `subscriber-${randomUUID()}`;
      const event = { ...subscribed(), eventId: randomUUID() };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          store.append(stream, [event], { expectedVersion: 'no_stream', metadata }),
        ),
      );
      expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('refuses an append that reuses some, but not all, stored event ids', async () => {
      const stream = `subscriber-${randomUUID()}`;
      const event = { ...subscribed(), eventId: randomUUID() };
      await store.append(stream, [event], { expectedVersion: 'no_stream', metadata });
      await expect(
        store.append(stream, [event, unsubscribed()], { expectedVersion: 1, metadata }),
      ).rejects.toBeInstanceOf(DuplicateEventIdError);
    });

    it('reads the whole log after a checkpoint, in order, without repeats', async () => {
      const before = await readEverything(store);
      const streams = [randomUUID(), randomUUID(), randomUUID()].map((id) => `subscriber-${id}`);
      for (const stream of streams) {
        await store.append(stream, [subscribed(), unsubscribed()], {
          expectedVersion: 'no_stream',
          metadata,
        });
      }
      const after = await readUntil(
        store,
        before.at(-1) ? checkpointOf(before.at(-1)!) : LOG_START,
        (events) => events.filter((event) => streams.includes(event.streamId)).length === 6,
        2,
      );
      const ours = after.filter((event) => streams.includes(event.streamId));
      expect(ours.map((event) => `${event.streamId}/${event.streamVersion}`)).toEqual(
        streams.flatMap((stream) => [`${stream}/1`, `${stream}/2`]),
      );
      const ids = after.map((event) => event.eventId);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('knows the end of the log: reading after it finds only what was appended since', async () => {
      const stream = `subscriber-${randomUUID()}`;
      await store.append(stream, [subscribed()], { expectedVersion: 'no_stream', metadata });
      const end = await store.endOfLog();
      expect(end.position).toBeGreaterThan(0);
      const later = `subscriber-${randomUUID()}`;
      await store.append(later, [subscribed()], { expectedVersion: 'no_stream', metadata });
      const after = await store.readAll(end, 1000);
      expect(after.map((event) => event.streamId)).toEqual([later]);
    });

    it('pages through a stream by version', async () => {
      const userId = randomUUID();
      const stream = `subscriber-${userId}`;
      await store.append(stream, [subscribed(userId)], { expectedVersion: 'no_stream', metadata });
      await store.append(stream, [unsubscribed(userId)], { expectedVersion: 1, metadata });
      await store.append(stream, [subscribed(userId)], { expectedVersion: 2, metadata });
      const page = await store.readStream(stream, { afterVersion: 1, limit: 1 });
      expect(page.map((event) => [event.streamVersion, event.type])).toEqual([
        [2, 'UserUnsubscribed'],
      ]);
      expect(await store.readStream(stream, { afterVersion: 3, limit: 10 })).toEqual([]);
    });

    it('reads several whole streams at once, each in version order, a missing one empty', async () => {
      const [one, other] = [randomUUID(), randomUUID()];
      await store.append(`subscriber-${one}`, [subscribed(one), unsubscribed(one)], {
        expectedVersion: 'no_stream',
        metadata,
      });
      await store.append(`subscriber-${other}`, [subscribed(other)], {
        expectedVersion: 'no_stream',
        metadata,
      });
      const missing = `subscriber-${randomUUID()}`;
      const streams = await store.readStreams([
        `subscriber-${other}`,
        missing,
        `subscriber-${one}`,
      ]);
      expect(
        streams.get(`subscriber-${one}`)?.map((event) => [event.streamVersion, event.type]),
      ).toEqual([
        [1, 'UserSubscribed'],
        [2, 'UserUnsubscribed'],
      ]);
      expect(streams.get(`subscriber-${other}`)).toEqual(
        await store.readStream(`subscriber-${other}`),
      );
      expect(streams.get(missing)).toEqual([]);
    });

    it('reads several streams at once from the versions given, the others whole', async () => {
      const [one, other] = [randomUUID(), randomUUID()];
      await store.append(`subscriber-${one}`, [subscribed(one), unsubscribed(one)], {
        expectedVersion: 'no_stream',
        metadata,
      });
      await store.append(`subscriber-${other}`, [subscribed(other), unsubscribed(other)], {
        expectedVersion: 'no_stream',
        metadata,
      });
      const streams = await store.readStreams(
        [`subscriber-${one}`, `subscriber-${other}`],
        new Map([[`subscriber-${one}`, 1]]),
      );
      expect(
        streams.get(`subscriber-${one}`)?.map((event) => [event.streamVersion, event.type]),
      ).toEqual([[2, 'UserUnsubscribed']]);
      expect(streams.get(`subscriber-${other}`)?.map((event) => event.streamVersion)).toEqual([
        1, 2,
      ]);
      const past = await store.readStreams(
        [`subscriber-${one}`],
        new Map([[`subscriber-${one}`, 2]]),
      );
      expect(past.get(`subscriber-${one}`)).toEqual([]);
    });

    describe('one chat, one active subscription', () => {
      const chat = () => String(Math.floor(Math.random() * 1e12));
      const subscribe = (userId: string, chatId: string, expectedVersion: ExpectedVersion) =>
        store.append(
          `subscriber-${userId}`,
          [
            {
              type: 'UserSubscribed',
              data: { userId, chatId, chatName: 'x', profile: null, chatType: null },
            },
          ],
          { expectedVersion, metadata },
        );

      it('refuses a second subscriber of an active chat, storing nothing of its append', async () => {
        const [first, second, chatId] = [randomUUID(), randomUUID(), chat()];
        await subscribe(first, chatId, 'no_stream');
        await expect(subscribe(second, chatId, 'no_stream')).rejects.toEqual(
          new ChatAlreadyHeldError(chatId),
        );
        expect(await store.readStream(`subscriber-${second}`)).toEqual([]);
        // Once the first has unsubscribed, the chat is free; the first may come back with another.
        await store.append(`subscriber-${first}`, [unsubscribed(first)], {
          expectedVersion: 1,
          metadata,
        });
        await subscribe(second, chatId, 'no_stream');
        await expect(subscribe(first, chatId, 2)).rejects.toBeInstanceOf(ChatAlreadyHeldError);
        await subscribe(first, chat(), 2);
      });

      it('refuses moving an active subscriber to a chat another holds, not an unsubscribed one', async () => {
        const [mover, holder, gone] = [randomUUID(), randomUUID(), randomUUID()];
        const [from, taken] = [chat(), chat()];
        await subscribe(mover, from, 'no_stream');
        await subscribe(holder, taken, 'no_stream');
        await subscribe(gone, chat(), 'no_stream');
        await store.append(`subscriber-${gone}`, [unsubscribed(gone)], {
          expectedVersion: 1,
          metadata,
        });
        const migrated = (userId: string, fromChatId: string): NewEvent => ({
          type: 'UserChatMigrated',
          data: { userId, fromChatId, toChatId: taken },
        });
        await expect(
          store.append(`subscriber-${mover}`, [migrated(mover, from)], {
            expectedVersion: 1,
            metadata,
          }),
        ).rejects.toBeInstanceOf(ChatAlreadyHeldError);
        await store.append(`subscriber-${gone}`, [migrated(gone, 'x')], {
          expectedVersion: 2,
          metadata,
        });
        // The refused move left the mover in its chat: nobody else may take that one.
        await expect(subscribe(randomUUID(), from, 'no_stream')).rejects.toBeInstanceOf(
          ChatAlreadyHeldError,
        );
      });
    });

    it('reads the newest events of some types, newest first', async () => {
      const userId = randomUUID();
      const { events } = await store.append(
        `subscriber-${userId}`,
        [subscribed(userId), unsubscribed(userId), subscribed(userId), unsubscribed(userId)],
        { expectedVersion: 'no_stream', metadata },
      );
      const latest = await store.readLatest(['UserUnsubscribed'], 2);
      expect(latest.map((event) => event.eventId)).toEqual([
        events[3]!.eventId,
        events[1]!.eventId,
      ]);
      expect(await store.readLatest(['UserUnsubscribed', 'UserSubscribed'], 1)).toEqual([
        events[3],
      ]);
      expect(await store.readLatest([], 5)).toEqual([]);
    });

    it('reads the events of some types in several streams, in position order', async () => {
      const [first, second, other] = [randomUUID(), randomUUID(), randomUUID()];
      for (const userId of [first, second, other]) {
        await store.append(`subscriber-${userId}`, [subscribed(userId), unsubscribed(userId)], {
          expectedVersion: 'no_stream',
          metadata,
        });
      }
      const read = await store.readStreamsOfType(
        [`subscriber-${second}`, `subscriber-${first}`],
        ['UserUnsubscribed'],
      );
      expect(read.map((event) => [event.streamId, event.type])).toEqual([
        [`subscriber-${first}`, 'UserUnsubscribed'],
        [`subscriber-${second}`, 'UserUnsubscribed'],
      ]);
      expect(await store.readStreamsOfType([], ['UserUnsubscribed'])).toEqual([]);
    });

    it('reads the log after the place of a position, filtered by type', async () => {
      const userId = randomUUID();
      const stream = `subscriber-${userId}`;
      const { events } = await store.append(stream, [subscribed(userId), unsubscribed(userId)], {
        expectedVersion: 'no_stream',
        metadata,
      });
      const first = events[0]!;
      const place = await store.checkpointAt(first.position);
      expect(place).toEqual(checkpointOf(first));
      expect(await store.checkpointAt(Number.MAX_SAFE_INTEGER)).toBeNull();
      const after = await readUntil(store, place!, (read) =>
        read.some((event) => event.eventId === events[1]!.eventId),
      );
      expect(after.map((event) => event.eventId)).toContain(events[1]!.eventId);
      expect(after.map((event) => event.eventId)).not.toContain(first.eventId);
      const onlyUnsubscribed = await store.readAll(LOG_START, 10_000, {
        types: ['UserUnsubscribed'],
      });
      expect(new Set(onlyUnsubscribed.map((event) => event.type))).toEqual(
        new Set(['UserUnsubscribed']),
      );
      expect(onlyUnsubscribed.map((event) => event.eventId)).toContain(events[1]!.eventId);
    });
  });
}

/**
 * Reads on from a checkpoint until `done` holds for what was read, or 15 s passed. A store may
 * show a transaction only once every older one has ended (PostgresEventStore does, and other
 * test files' transactions share the cluster): a reader waits, it never misses anything.
 */
export async function readUntil(
  store: EventStore,
  from: LogCheckpoint,
  done: (events: readonly StoredEvent[]) => boolean,
  pageSize = 500,
): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let checkpoint = from;
  for (const deadline = Date.now() + 15_000; !done(all) && Date.now() < deadline;) {
    const page = await store.readAll(checkpoint, pageSize);
    all.push(...page);
    if (page.length > 0) checkpoint = checkpointOf(page.at(-1)!);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return all;
}

/** Pages through the log from a checkpoint to its end. */
export async function readEverything(store: EventStore, from = LOG_START, pageSize = 500) {
  const all = [];
  let checkpoint = from;
  for (;;) {
    const page = await store.readAll(checkpoint, pageSize);
    all.push(...page);
    if (page.length < pageSize) return all;
    checkpoint = checkpointOf(page.at(-1)!);
  }
}
