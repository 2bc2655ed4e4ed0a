import { randomUUID } from 'node:crypto';
import { SeriesConfig } from '../../../../config/src/config';
import { DEFAULT_SEND_OPTIONS, messageStreamId } from '../../../../domain/src/events';
import { InMemoryEventStore } from '../../../../event-store/src/in-memory-event-store';
import { ManualClock } from '../../../../runtime/src/clock';
import { MarkMessageDueCommand } from './mark-message-due.command';
import { MarkMessageDueHandler } from './mark-message-due.handler';

const NOW = new Date('2030-01-01T10:00:00.000Z');
const metadata = { correlationId: 'test', causationId: null, actor: 'test' };

describe('MarkMessageDue: messages due together, marked together', () => {
  const store = new InMemoryEventStore(() => NOW);
  const handler = new MarkMessageDueHandler(store, new ManualClock(NOW), new SeriesConfig());

  async function scheduled(at: Date): Promise<string> {
    const messageId = randomUUID();
    await store.append(
      messageStreamId(messageId),
      [
        {
          type: 'MessageScheduled',
          data: {
            messageId,
            recipients: ['u1'],
            text: 'hello',
            scheduledAt: at.toISOString(),
            attachments: [],
            fromSender: null,
            series: null,
            audience: null,
            paidBroadcast: false,
            sendOptions: DEFAULT_SEND_OPTIONS,
            buttons: [],
          },
        },
      ],
      { expectedVersion: 'no_stream', metadata },
    );
    return messageId;
  }

  const types = async (messageId: string) =>
    (await store.readStream(messageStreamId(messageId))).map((event) => event.type);

  it('marks each due message once and passes over the rest', async () => {
    const [first, second] = [await scheduled(NOW), await scheduled(NOW)];
    const notYet = await scheduled(new Date(NOW.getTime() + 60_000));
    const cancelled = await scheduled(NOW);
    await store.append(
      messageStreamId(cancelled),
      [{ type: 'MessageCancelled', data: { messageId: cancelled } }],
      { expectedVersion: 1, metadata },
    );
    const unknown = randomUUID();

    const marked = await handler.execute(
      new MarkMessageDueCommand([first, notYet, second, cancelled, unknown]),
    );

    expect(marked).toBe(2);
    expect(await types(first)).toEqual(['MessageScheduled', 'MessageDue']);
    expect(await types(second)).toEqual(['MessageScheduled', 'MessageDue']);
    expect(await types(notYet)).toEqual(['MessageScheduled']);
    expect(await types(cancelled)).toEqual(['MessageScheduled', 'MessageCancelled']);
    expect(await types(unknown)).toEqual([]);
    // Marked already (by this or another scheduler): nothing more.
    expect(await handler.execute(new MarkMessageDueCommand([first, second]))).toBe(0);
    expect(await types(first)).toEqual(['MessageScheduled', 'MessageDue']);
  });
});
