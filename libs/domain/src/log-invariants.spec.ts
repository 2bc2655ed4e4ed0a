import { DEFAULT_SEND_OPTIONS, type DomainEvent } from './events';
import { LogVerifier } from './log-invariants';

const M = 'm1';
const stream = `message-${M}`;
const scheduled: DomainEvent = {
  type: 'MessageScheduled',
  data: {
    messageId: M,
    recipients: ['u1', 'u2'],
    text: 'hi',
    scheduledAt: '2030-01-01T00:00:00.000Z',
    attachments: [],
    fromSender: null,
    series: null,
    audience: null,
    paidBroadcast: false,
    sendOptions: DEFAULT_SEND_OPTIONS,
    buttons: [],
  },
};
const due: DomainEvent = {
  type: 'MessageDue',
  data: { messageId: M, scheduledAt: '2030-01-01T00:00:00.000Z' },
};
const delivered = (userId: string): DomainEvent => ({
  type: 'RecipientDelivered',
  data: { messageId: M, userId, chatId: '1', telegramMessageIds: [1] },
});
const failed = (userId: string): DomainEvent => ({
  type: 'RecipientDeliveryFailed',
  data: { messageId: M, userId, code: 'blocked', reason: 'Forbidden' },
});
const sent: DomainEvent = { type: 'MessageSent', data: { messageId: M, delivered: 1, failed: 1 } };

/** Given these events of one stream, in order, with contiguous versions unless told. */
function verify(events: readonly DomainEvent[], streamId = stream, versions?: number[]) {
  const verifier = new LogVerifier();
  events.forEach((event, index) =>
    verifier.check({
      ...event,
      streamId,
      streamVersion: versions?.[index] ?? index + 1,
      position: index + 1,
    }),
  );
  return verifier.violations.map((violation) => [violation.position, violation.rule]);
}

describe('LogVerifier', () => {
  it('finds nothing wrong in a message scheduled, due, delivered and sent', () => {
    expect(verify([scheduled, due, delivered('u1'), failed('u2'), sent])).toEqual([]);
  });

  it('finds nothing wrong in an audience delivered part by part, each in its own stream; and reports an outcome in the wrong stream', () => {
    const verifier = new LogVerifier();
    const toAll: DomainEvent = {
      type: 'MessageScheduled',
      data: {
        messageId: M,
        recipients: [],
        text: 'hi',
        scheduledAt: '2030-01-01T00:00:00.000Z',
        attachments: [],
        fromSender: null,
        series: null,
        audience: { kind: 'all' },
        paidBroadcast: false,
        sendOptions: DEFAULT_SEND_OPTIONS,
        buttons: [],
      },
    };
    const resolved = (part: number, recipients: string[]): DomainEvent => ({
      type: 'AudienceResolved',
      data: { messageId: M, recipients, part, parts: 2 },
    });
    const partSent = (part: number, delivered: number, failed: number): DomainEvent => ({
      type: 'AudiencePartSent',
      data: { messageId: M, part, parts: 2, delivered, failed },
    });
    const revisionDue = (part: number): DomainEvent => ({
      type: 'AudienceRevisionDue',
      data: { messageId: M, part, parts: 2, edit: 1, recall: false },
    });
    const log: [DomainEvent, string, number][] = [
      [toAll, stream, 1],
      [due, stream, 2],
      [resolved(1, ['u1', 'u2']), stream, 3],
      [resolved(2, ['u3']), stream, 4],
      [delivered('u3'), `${stream}-part-2`, 1],
      [partSent(2, 1, 0), `${stream}-part-2`, 2],
      [delivered('u1'), `${stream}-part-1`, 1],
      [failed('u2'), stream, 5],
      [partSent(1, 1, 1), `${stream}-part-1`, 2],
      [{ type: 'MessageSent', data: { messageId: M, delivered: 2, failed: 1 } }, stream, 6],
      // Edits of a broadcast: each chat's outcome where its send is, in its part's stream.
      [
        { type: 'MessageEdited', data: { messageId: M, text: 'hi!', edit: 1, inChats: true } },
        stream,
        7,
      ],
      [revisionDue(1), stream, 8],
      [revisionDue(2), stream, 9],
      [
        { type: 'RecipientEdited', data: { messageId: M, userId: 'u3', chatId: '3', edit: 1 } },
        `${stream}-part-2`,
        3,
      ],
      [
        { type: 'RecipientEdited', data: { messageId: M, userId: 'u1', chatId: '1', edit: 1 } },
        stream,
        10,
      ],
    ];
    log.forEach(([event, streamId, streamVersion], index) =>
      verifier.check({ ...event, streamId, streamVersion, position: index + 1 }),
    );
    expect(verifier.violations.map((violation) => [violation.position, violation.rule])).toEqual([
      [8, 'event_in_its_stream'],
      [15, 'event_in_its_stream'],
    ]);
    // A revision handed to the parts of a broadcast still being sent is reported.
    expect(verify([toAll, due, resolved(1, ['u1']), revisionDue(1)])).toEqual([
      [4, 'edit_before_due_or_after_sent'],
    ]);
  });

  it('reports a gap in a stream’s versions', () => {
    expect(verify([scheduled, due], stream, [1, 3])).toEqual([[2, 'stream_versions_contiguous']]);
  });

  it('reports a message sent before every recipient has an outcome', () => {
    expect(verify([scheduled, due, delivered('u1'), sent])).toEqual([
      [4, 'sent_after_every_outcome'],
    ]);
  });

  it('reports events after the message was sent, and due twice', () => {
    expect(verify([scheduled, due, due, delivered('u1'), failed('u2'), sent, due])).toEqual([
      [3, 'due_after_scheduled'],
      [7, 'nothing_after_end'],
    ]);
  });

  it('reports delivery before due, to a stranger, and twice to one recipient', () => {
    expect(verify([scheduled, delivered('u1'), delivered('u1'), delivered('stranger')])).toEqual([
      [2, 'delivery_after_due'],
      [3, 'delivery_after_due'],
      [3, 'one_outcome_per_recipient'],
      [4, 'delivery_after_due'],
      [4, 'recipient_of_message'],
    ]);
  });

  it('reports a message event before MessageScheduled, and one in another message’s stream', () => {
    expect(verify([due])).toEqual([[1, 'stream_starts_with_creation']]);
    expect(verify([scheduled], 'message-other')).toEqual([[1, 'event_in_its_stream']]);
  });

  it('reports a cancel after due and anything after a cancel', () => {
    const cancelled: DomainEvent = { type: 'MessageCancelled', data: { messageId: M } };
    expect(verify([scheduled, due, cancelled, delivered('u1')])).toEqual([
      [3, 'change_before_due'],
      [4, 'nothing_after_end'],
    ]);
  });

  it('reports a subscription that does not move between subscribed and unsubscribed', () => {
    const subscribed: DomainEvent = {
      type: 'UserSubscribed',
      data: { userId: 'u1', chatId: '1', chatName: 'A', profile: null, chatType: null },
    };
    const unsubscribed: DomainEvent = {
      type: 'UserUnsubscribed',
      data: { userId: 'u1', chatId: '1', reason: 'requested' },
    };
    expect(verify([subscribed, unsubscribed, subscribed], 'subscriber-u1')).toEqual([]);
    expect(verify([unsubscribed, subscribed, subscribed], 'subscriber-u1')).toEqual([
      [1, 'subscription_transition'],
      [3, 'subscription_transition'],
    ]);
  });
});
