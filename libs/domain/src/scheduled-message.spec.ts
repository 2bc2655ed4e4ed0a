import { deciderSpec } from './decider-spec';
import { DomainError, DomainErrorCode } from './errors';
import { type Attachment, DEFAULT_SEND_OPTIONS, type ScheduledMessageEvent } from './events';
import type { ParseMode } from './formatting';
import {
  audiencePartEvolver,
  decideScheduledMessage,
  evolveScheduledMessage,
  initialScheduledMessageState,
  MAX_FROM_SENDER_LENGTH,
  MAX_MESSAGE_LENGTH,
  parseRecipientList,
  partsToSend,
  recipientsAwaitingOutcome,
  type RecipientStatus,
  type ScheduledMessageCommand,
  type ScheduledMessageState,
  type ScheduleMessage,
  chatsToEdit,
  chatsToRecall,
  type RecordRevision,
} from './scheduled-message';

const spec = deciderSpec<ScheduledMessageCommand, ScheduledMessageState, ScheduledMessageEvent>({
  decide: decideScheduledMessage,
  evolve: evolveScheduledMessage,
  initialState: initialScheduledMessageState,
});

const refusedWith = (code: DomainErrorCode) => (error: unknown) =>
  error instanceof DomainError && error.code === code;

const LIMITS = {
  maxCount: 10,
  maxBytes: 50 * 1024 * 1024,
  maxRecipients: 100,
  latest: new Date('2031-01-01T00:00:00Z'),
};

const attachment: Attachment = {
  objectKey: 'attachments/k1/report.pdf',
  fileName: 'report.pdf',
  contentType: 'application/pdf',
  declaredContentType: 'application/pdf',
  size: 1000,
  sha256: 'ab'.repeat(32),
  image: null,
};

function command(overrides: Partial<ScheduleMessage> = {}): ScheduleMessage {
  return {
    type: 'ScheduleMessage',
    messageId: 'm-1',
    recipients: ['u-1', 'u-2'],
    text: 'Hello',
    scheduledAt: new Date('2030-01-31T09:30:00Z'),
    attachments: [attachment],
    fromSender: null,
    recipientStatus: new Map<string, RecipientStatus>([
      ['u-1', 'active'],
      ['u-2', 'active'],
      ['u-3', 'unsubscribed'],
    ]),
    limits: LIMITS,
    ...overrides,
  };
}

const scheduled: ScheduledMessageEvent = {
  type: 'MessageScheduled',
  data: {
    messageId: 'm-1',
    recipients: ['u-1', 'u-2'],
    text: 'Hello',
    scheduledAt: '2030-01-31T09:30:00.000Z',
    attachments: [attachment],
    fromSender: null,
    series: null,
    audience: null,
    paidBroadcast: false,
    sendOptions: DEFAULT_SEND_OPTIONS,
    buttons: [],
  },
};

describe('ScheduledMessage', () => {
  it('given nothing, when a message is scheduled for subscribed users, then it is scheduled', () => {
    spec.given([]).when(command()).then([scheduled]);
  });

  it('accepts a time in the past: the message is due at once', () => {
    spec
      .given([])
      .when(command({ scheduledAt: new Date('2001-01-01T00:00:00Z'), attachments: [] }))
      .then([
        {
          type: 'MessageScheduled',
          data: { ...scheduled.data, scheduledAt: '2001-01-01T00:00:00.000Z', attachments: [] },
        },
      ]);
  });

  it('given a scheduled message, when the same id is scheduled again, then it is refused', () => {
    spec
      .given([scheduled])
      .when(command())
      .thenThrows(refusedWith(DomainErrorCode.MessageAlreadyScheduled));
  });

  it.each<[string, Partial<ScheduleMessage>, DomainErrorCode]>([
    ['an empty text', { text: '' }, DomainErrorCode.MissingMessage],
    ['a whitespace-only text', { text: ' \n\t' }, DomainErrorCode.MissingMessage],
    [
      'a text over 4096 characters',
      { text: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) },
      DomainErrorCode.MessageTooLong,
    ],
    ['no recipients', { recipients: [] }, DomainErrorCode.NoRecipients],
    ['a recipient twice', { recipients: ['u-1', 'u-1'] }, DomainErrorCode.InvalidRecipient],
    ['an unknown recipient', { recipients: ['u-1', 'nobody'] }, DomainErrorCode.UnknownRecipients],
    ['an unsubscribed recipient', { recipients: ['u-3'] }, DomainErrorCode.UnsubscribedRecipients],
    [
      'more files than allowed',
      { attachments: [attachment, attachment], limits: { ...LIMITS, maxCount: 1 } },
      DomainErrorCode.TooManyAttachments,
    ],
    [
      'a file over the size limit',
      { limits: { ...LIMITS, maxBytes: 999 } },
      DomainErrorCode.AttachmentTooLarge,
    ],
    ['an invalid time', { scheduledAt: new Date('nope') }, DomainErrorCode.InvalidTimestamp],
    [
      'more recipients than allowed',
      { limits: { ...LIMITS, maxRecipients: 1 } },
      DomainErrorCode.TooManyRecipients,
    ],
    [
      'a time beyond the horizon',
      { scheduledAt: new Date(LIMITS.latest.getTime() + 1) },
      DomainErrorCode.ScheduledTooFar,
    ],
    [
      'a sender label over 256 characters',
      { fromSender: 's'.repeat(MAX_FROM_SENDER_LENGTH + 1) },
      DomainErrorCode.FromSenderTooLong,
    ],
  ])('refuses %s', (_name, overrides, code) => {
    spec.given([]).when(command(overrides)).thenThrows(refusedWith(code));
  });

  it('names every unknown recipient in the error', () => {
    try {
      decideScheduledMessage(
        command({ recipients: ['x-1', 'u-1', 'x-2'] }),
        initialScheduledMessageState,
      );
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details).toMatchObject({ userIds: ['x-1', 'x-2'] });
      expect((error as DomainError).message).toContain('x-1, x-2');
    }
  });

  it('given nothing, when a message is scheduled with a sender label, then the label is kept', () => {
    const fromSender = '🙂'.repeat(MAX_FROM_SENDER_LENGTH);
    spec
      .given([])
      .when(command({ fromSender }))
      .then([{ ...scheduled, data: { ...scheduled.data, fromSender } }]);
  });

  it('reads an empty sender label as none, as a form sends a blank input', () => {
    spec
      .given([])
      .when(command({ fromSender: '' }))
      .then([scheduled]);
  });

  it('with as_album, takes the text as the first album’s caption: at most 1024, unless buttons follow', () => {
    const photo = { ...attachment, contentType: 'image/jpeg', fileName: 'a.jpg' };
    const album = {
      attachments: [photo, photo],
      sendOptions: { ...DEFAULT_SEND_OPTIONS, sendAs: 'media' as const, asAlbum: true },
    };
    spec
      .given([])
      .when(command({ ...album, text: 'c'.repeat(1025) }))
      .thenThrows(
        (error) =>
          error instanceof DomainError &&
          error.code === DomainErrorCode.MessageTooLong &&
          (error.details as { max: number }).max === 1024,
      );
    const buttons = [[{ text: 'Open', url: 'https://example.com' }]];
    expect(
      decideScheduledMessage(command({ ...album, text: 'c'.repeat(1025), buttons }), {
        ...initialScheduledMessageState,
      }),
    ).toHaveLength(1);
    // No album forms from one photo: the text goes on its own, up to 4096.
    expect(
      decideScheduledMessage(
        command({ ...album, attachments: [photo], text: 'c'.repeat(1025) }),
        initialScheduledMessageState,
      ),
    ).toHaveLength(1);
  });

  it('accepts exactly 4096 characters', () => {
    const text = 'y'.repeat(MAX_MESSAGE_LENGTH);
    const [event] = decideScheduledMessage(command({ text }), initialScheduledMessageState);
    expect(event?.type === 'MessageScheduled' && event.data.text).toHaveLength(MAX_MESSAGE_LENGTH);
  });
});

describe('ScheduledMessage: due and delivered', () => {
  const due: ScheduledMessageEvent = {
    type: 'MessageDue',
    data: { messageId: 'm-1', scheduledAt: '2030-01-31T09:30:00.000Z' },
  };
  // The message has a text and one attachment: parts 0 and 1.
  const partSent = (userId: string, part: number): ScheduledMessageEvent => ({
    type: 'RecipientPartSent',
    data: {
      messageId: 'm-1',
      userId,
      chatId: `chat-${userId}`,
      part,
      telegramMessageId: 100 + part,
      ...(part > 0 ? { telegramFileId: 'file-1' } : {}),
    },
  });
  const delivered = (userId: string): ScheduledMessageEvent => ({
    type: 'RecipientDelivered',
    data: { messageId: 'm-1', userId, chatId: `chat-${userId}`, telegramMessageIds: [100, 101] },
  });
  const markDue = (now: string, leadMs?: number): ScheduledMessageCommand => ({
    type: 'MarkMessageDue',
    messageId: 'm-1',
    now: new Date(now),
    ...(leadMs !== undefined ? { leadMs } : {}),
  });
  const sendPart = (userId: string, part: number): ScheduledMessageCommand => ({
    type: 'RecordPartSent',
    messageId: 'm-1',
    userId,
    chatId: `chat-${userId}`,
    part,
    telegramMessageId: 100 + part,
    ...(part > 0 ? { telegramFileId: 'file-1' } : {}),
  });
  const fail = (userId: string): ScheduledMessageCommand => ({
    type: 'RecordDeliveryFailure',
    messageId: 'm-1',
    userId,
    code: 'blocked',
    reason: 'Forbidden: bot was blocked by the user',
  });

  it('given a scheduled message, when its time has come, then it is due', () => {
    spec.given([scheduled]).when(markDue('2030-01-31T09:30:00Z')).then([due]);
  });

  it('given a scheduled message, when its time has not come, then it is not due', () => {
    spec
      .given([scheduled])
      .when(markDue('2030-01-31T09:29:59Z'))
      .thenThrows(refusedWith(DomainErrorCode.MessageNotDueYet));
  });

  it('given a scheduled message, when it is handed over within the lead before its time, then it is due', () => {
    spec.given([scheduled]).when(markDue('2030-01-31T09:29:58Z', 2000)).then([due]);
  });

  it('given a scheduled message, when it is handed over earlier than the lead before its time, then it is not due', () => {
    spec
      .given([scheduled])
      .when(markDue('2030-01-31T09:29:57.999Z', 2000))
      .thenThrows(refusedWith(DomainErrorCode.MessageNotDueYet));
  });

  it('given a due message, when it is found due again, then it is refused: one MessageDue per message', () => {
    spec
      .given([scheduled, due])
      .when(markDue('2030-02-01T00:00:00Z'))
      .thenThrows(refusedWith(DomainErrorCode.MessageNotPending));
  });

  it('given no message, when it is found due, then it is refused', () => {
    spec
      .given([])
      .when(markDue('2030-02-01T00:00:00Z'))
      .thenThrows(refusedWith(DomainErrorCode.MessageNotFound));
  });

  it('given a due message, when an album (its caption the text) reaches a recipient, then its parts are recorded at once', () => {
    spec
      .given([scheduled, due])
      .when({
        type: 'RecordPartsSent',
        messageId: 'm-1',
        userId: 'u-1',
        chatId: 'chat-u-1',
        parts: [
          { part: 0, telegramMessageId: 100 },
          { part: 1, telegramMessageId: 101, telegramFileId: 'file-1' },
        ],
      })
      .then([partSent('u-1', 0), partSent('u-1', 1), delivered('u-1')]);
  });

  it('given a due message, when the text reaches a recipient, then only that part is recorded', () => {
    spec
      .given([scheduled, due])
      .when(sendPart('u-1', 0))
      .then([partSent('u-1', 0)]);
  });

  it('given the text sent, when the last attachment is sent, then the recipient is delivered', () => {
    spec
      .given([scheduled, due, partSent('u-1', 0)])
      .when(sendPart('u-1', 1))
      .then([partSent('u-1', 1), delivered('u-1')]);
  });

  it('given a part recorded, when it is recorded again, then nothing changes', () => {
    spec
      .given([scheduled, due, partSent('u-1', 0)])
      .when(sendPart('u-1', 0))
      .then([]);
  });

  it('given one recipient delivered, when the last one fails, then the message is sent', () => {
    spec
      .given([scheduled, due, partSent('u-1', 0), partSent('u-1', 1), delivered('u-1')])
      .when(fail('u-2'))
      .then([
        {
          type: 'RecipientDeliveryFailed',
          data: {
            messageId: 'm-1',
            userId: 'u-2',
            code: 'blocked',
            reason: 'Forbidden: bot was blocked by the user',
          },
        },
        { type: 'MessageSent', data: { messageId: 'm-1', delivered: 1, failed: 1 } },
      ]);
  });

  it('given one recipient failed, when the last part of the other is sent, then it is delivered and the message sent', () => {
    spec
      .given([
        scheduled,
        due,
        {
          type: 'RecipientDeliveryFailed',
          data: { messageId: 'm-1', userId: 'u-2', code: 'blocked', reason: 'x' },
        },
        partSent('u-1', 0),
      ])
      .when(sendPart('u-1', 1))
      .then([
        partSent('u-1', 1),
        delivered('u-1'),
        { type: 'MessageSent', data: { messageId: 'm-1', delivered: 1, failed: 1 } },
      ]);
  });

  it('given a recipient delivered, when a failure is recorded for it, then nothing changes', () => {
    spec
      .given([scheduled, due, partSent('u-1', 0), partSent('u-1', 1), delivered('u-1')])
      .when(fail('u-1'))
      .then([]);
  });

  it('given a message not yet due, when a part is recorded, then it is refused', () => {
    spec
      .given([scheduled])
      .when(sendPart('u-1', 0))
      .thenThrows(refusedWith(DomainErrorCode.MessageNotDue));
  });

  it('refuses a part the message does not have', () => {
    spec
      .given([scheduled, due])
      .when(sendPart('u-1', 2))
      .thenThrows(refusedWith(DomainErrorCode.InvalidAttachment));
  });

  it('refuses an outcome for someone who is not a recipient', () => {
    spec
      .given([scheduled, due])
      .when(fail('u-9'))
      .thenThrows(refusedWith(DomainErrorCode.NotARecipient));
  });

  it('lists the recipients awaiting an outcome and the parts each still needs', () => {
    const state = [scheduled, due, partSent('u-1', 0)].reduce(
      evolveScheduledMessage,
      initialScheduledMessageState,
    );
    expect(recipientsAwaitingOutcome(state)).toEqual(['u-1', 'u-2']);
    expect(partsToSend(state, 'u-1')).toEqual([1]);
    expect(partsToSend(state, 'u-2')).toEqual([0, 1]);
  });
});

describe('ScheduledMessage: cancelled and rescheduled', () => {
  const cancel: ScheduledMessageCommand = { type: 'CancelMessage', messageId: 'm-1' };
  const reschedule = (at: string): ScheduledMessageCommand => ({
    type: 'RescheduleMessage',
    messageId: 'm-1',
    scheduledAt: new Date(at),
  });
  const due: ScheduledMessageEvent = {
    type: 'MessageDue',
    data: { messageId: 'm-1', scheduledAt: '2030-01-31T09:30:00.000Z' },
  };
  const cancelled: ScheduledMessageEvent = { type: 'MessageCancelled', data: { messageId: 'm-1' } };

  it('given a scheduled message, when it is cancelled, then it is cancelled', () => {
    spec.given([scheduled]).when(cancel).then([cancelled]);
  });

  it('given a due message, when it is cancelled, then it is refused', () => {
    spec
      .given([scheduled, due])
      .when(cancel)
      .thenThrows(refusedWith(DomainErrorCode.MessageNotPending));
  });

  it('given a cancelled message, when it is cancelled again or found due, then it is refused', () => {
    spec
      .given([scheduled, cancelled])
      .when(cancel)
      .thenThrows(refusedWith(DomainErrorCode.MessageNotPending));
    spec
      .given([scheduled, cancelled])
      .when({ type: 'MarkMessageDue', messageId: 'm-1', now: new Date('2031-01-01T00:00:00Z') })
      .thenThrows(refusedWith(DomainErrorCode.MessageNotPending));
  });

  it('given a scheduled message, when it is rescheduled, then the new time is recorded with the old', () => {
    spec
      .given([scheduled])
      .when(reschedule('2030-02-01T08:00:00+01:00'))
      .then([
        {
          type: 'MessageRescheduled',
          data: {
            messageId: 'm-1',
            scheduledAt: '2030-02-01T07:00:00.000Z',
            previousScheduledAt: '2030-01-31T09:30:00.000Z',
          },
        },
      ]);
  });

  it('given a scheduled message, when it is rescheduled to the same time, then nothing changes', () => {
    spec.given([scheduled]).when(reschedule('2030-01-31T09:30:00Z')).then([]);
  });

  it('given a rescheduled message, when the old time comes, then it is not due yet', () => {
    spec
      .given([
        scheduled,
        {
          type: 'MessageRescheduled',
          data: {
            messageId: 'm-1',
            scheduledAt: '2030-03-01T00:00:00.000Z',
            previousScheduledAt: '2030-01-31T09:30:00.000Z',
          },
        },
      ])
      .when({ type: 'MarkMessageDue', messageId: 'm-1', now: new Date('2030-02-01T00:00:00Z') })
      .thenThrows(refusedWith(DomainErrorCode.MessageNotDueYet));
  });

  it('given a due message, when it is rescheduled, then it is refused', () => {
    spec
      .given([scheduled, due])
      .when(reschedule('2030-03-01T00:00:00Z'))
      .thenThrows(refusedWith(DomainErrorCode.MessageNotPending));
  });
});

describe('parseRecipientList', () => {
  it('splits the seed comma-separated field, trimming blanks', () => {
    expect(parseRecipientList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseRecipientList(' , ')).toEqual([]);
  });
});

describe('A series occurrence found late', () => {
  const occurrence: ScheduledMessageEvent = {
    type: 'MessageScheduled',
    data: {
      ...scheduled.data,
      series: { seriesId: 's-1', occurrenceAt: scheduled.data.scheduledAt },
    },
  };
  const markDue = (now: string, seriesGraceMs = 3_600_000): ScheduledMessageCommand => ({
    type: 'MarkMessageDue',
    messageId: 'm-1',
    now: new Date(now),
    seriesGraceMs,
  });

  it('given an occurrence, when it is found due within the grace period, then it is due', () => {
    spec
      .given([occurrence])
      .when(markDue('2030-01-31T10:30:00.000Z'))
      .then([
        { type: 'MessageDue', data: { messageId: 'm-1', scheduledAt: '2030-01-31T09:30:00.000Z' } },
      ]);
  });

  it('given an occurrence, when it is found past the grace period (downtime), then it is missed, not sent', () => {
    spec
      .given([occurrence])
      .when(markDue('2030-01-31T10:30:00.001Z'))
      .then([
        {
          type: 'MessageMissed',
          data: {
            messageId: 'm-1',
            scheduledAt: '2030-01-31T09:30:00.000Z',
            foundAt: '2030-01-31T10:30:00.001Z',
          },
        },
      ]);
  });

  it('given a message of its own, when it is found however late, then it is due: the grace period is for series', () => {
    spec
      .given([scheduled])
      .when(markDue('2031-01-31T09:30:00.000Z', 0))
      .then([
        { type: 'MessageDue', data: { messageId: 'm-1', scheduledAt: '2030-01-31T09:30:00.000Z' } },
      ]);
  });
});

describe('ScheduledMessage to an audience', () => {
  const news = { kind: 'topics', topics: [{ id: 't-1', name: 'news' }] } as const;
  const toTopic: ScheduledMessageEvent = {
    type: 'MessageScheduled',
    data: { ...scheduled.data, recipients: [], audience: news },
  };
  const dueNow: ScheduledMessageEvent = {
    type: 'MessageDue',
    data: { messageId: 'm-1', scheduledAt: '2030-01-31T09:30:00.000Z' },
  };
  const resolve = (recipients: string[]): ScheduledMessageCommand => ({
    type: 'ResolveAudience',
    messageId: 'm-1',
    recipients,
  });

  it('when scheduled for a topic, then it records the topic, not recipients: who it reaches is decided when due', () => {
    spec
      .given([])
      .when(command({ recipients: [], audience: news, recipientStatus: new Map() }))
      .then([toTopic]);
    spec
      .given([])
      .when(command({ recipients: [], audience: { kind: 'all' }, recipientStatus: new Map() }))
      .then([
        {
          type: 'MessageScheduled',
          data: { ...scheduled.data, recipients: [], audience: { kind: 'all' } },
        },
      ]);
  });

  it('when asked for a paid broadcast where the bot has none, then it is refused; where it has, it is recorded', () => {
    spec
      .given([])
      .when(command({ paidBroadcast: true }))
      .thenThrows(refusedWith(DomainErrorCode.PaidBroadcastDisabled));
    const [event] = decideScheduledMessage(
      command({ paidBroadcast: true, paidBroadcastAllowed: true }),
      initialScheduledMessageState,
    );
    expect(event?.type === 'MessageScheduled' && event.data.paidBroadcast).toBe(true);
  });

  it('when scheduled with send options, then they are recorded; an impossible thread or preview is refused', () => {
    const sendOptions = {
      disableNotification: true,
      protectContent: true,
      messageThreadId: 42,
      linkPreview: { url: 'https://example.com/page' },
      parseMode: 'plain' as const,
      deleteAfter: 3600,
      sendAs: 'media' as const,
      asAlbum: true,
    };
    spec
      .given([])
      .when(command({ sendOptions }))
      .then([{ type: 'MessageScheduled', data: { ...scheduled.data, sendOptions } }]);
    for (const wrong of [
      { ...sendOptions, messageThreadId: 0 },
      { ...sendOptions, messageThreadId: 2.5 },
      { ...sendOptions, messageThreadId: 2 ** 31 },
      { ...sendOptions, linkPreview: { url: 'javascript:alert(1)' } },
      { ...sendOptions, linkPreview: { url: 'not a url' } },
      { ...sendOptions, parseMode: 'Markdown' as ParseMode },
      { ...sendOptions, deleteAfter: 0 },
      { ...sendOptions, deleteAfter: 48 * 3600 },
      { ...sendOptions, deleteAfter: 1.5 },
      { ...sendOptions, sendAs: 'photos' as 'media' },
    ]) {
      spec
        .given([])
        .when(command({ sendOptions: wrong }))
        .thenThrows(refusedWith(DomainErrorCode.InvalidSendOption));
    }
  });

  it('when scheduled in a parse mode, then the text is checked as Telegram reads it: markup, emptiness and length after it', () => {
    const html = { ...DEFAULT_SEND_OPTIONS, parseMode: 'HTML' as const };
    const text = `<b>${'x'.repeat(MAX_MESSAGE_LENGTH)}</b>`;
    spec
      .given([])
      .when(command({ text, sendOptions: html }))
      .then([{ type: 'MessageScheduled', data: { ...scheduled.data, text, sendOptions: html } }]);
    spec
      .given([])
      .when(command({ text: 'Hello <b>you</i>', sendOptions: html }))
      .thenThrows((error) => {
        expect(error).toBeInstanceOf(DomainError);
        const refusal = error as DomainError;
        expect(refusal.code).toBe(DomainErrorCode.InvalidFormatting);
        expect(refusal.details).toEqual({
          field: 'message',
          parse_mode: 'HTML',
          offset: 12,
          problem: 'unmatched end tag: expected "</b>", found "</i>"',
        });
        expect(refusal.message).toContain('at offset 12');
        return true;
      });
    spec
      .given([])
      .when(command({ text: '<b> </b>', sendOptions: html }))
      .thenThrows(refusedWith(DomainErrorCode.MissingMessage));
    spec
      .given([])
      .when(command({ text: `<b>${'x'.repeat(MAX_MESSAGE_LENGTH)}</b>!`, sendOptions: html }))
      .thenThrows(refusedWith(DomainErrorCode.MessageTooLong));
    // The same text in plain mode is shown as written: nothing to refuse.
    spec
      .given([])
      .when(command({ text: 'Hello <b>you</i>' }))
      .then([{ type: 'MessageScheduled', data: { ...scheduled.data, text: 'Hello <b>you</i>' } }]);
  });

  it('when scheduled with rows of URL buttons, then they are recorded; more than Telegram shows is refused', () => {
    const buttons = [
      [
        { text: 'Read more', url: 'https://example.com/notes' },
        { text: 'Channel', url: 'tg://resolve?domain=news' },
      ],
      [{ text: 'Site', url: 'http://example.com' }],
    ];
    spec
      .given([])
      .when(command({ buttons }))
      .then([{ type: 'MessageScheduled', data: { ...scheduled.data, buttons } }]);
    const button = { text: 'Open', url: 'https://example.com' };
    for (const wrong of [
      [Array.from({ length: 9 }, () => button)],
      Array.from({ length: 13 }, () => Array.from({ length: 8 }, () => button)),
      [[]],
      [[{ ...button, text: ' ' }]],
      [[{ ...button, text: 'x'.repeat(65) }]],
      [[{ ...button, url: 'javascript:alert(1)' }]],
      [[{ ...button, url: 'ftp://example.com/file' }]],
      [[{ ...button, url: 'https://example.com/a b' }]],
    ]) {
      spec
        .given([])
        .when(command({ buttons: wrong }))
        .thenThrows(refusedWith(DomainErrorCode.InvalidButtons));
    }
  });

  it('when scheduled for a topic and user ids at once, then it is refused', () => {
    spec
      .given([])
      .when(command({ audience: news }))
      .thenThrows(refusedWith(DomainErrorCode.ConflictingTargets));
  });

  it('given it is due, when the audience is resolved, then its recipients are recorded once each, and delivery serves them', () => {
    spec
      .given([toTopic, dueNow])
      .when(resolve(['u-1', 'u-2', 'u-1']))
      .then([
        {
          type: 'AudienceResolved',
          data: { messageId: 'm-1', recipients: ['u-1', 'u-2'], part: 1, parts: 1 },
        },
      ]);
    const state = [
      toTopic,
      dueNow,
      ...decideScheduledMessage(
        resolve(['u-1', 'u-2']),
        [toTopic, dueNow].reduce(evolveScheduledMessage, initialScheduledMessageState),
      ),
    ].reduce(evolveScheduledMessage, initialScheduledMessageState);
    expect(recipientsAwaitingOutcome(state)).toEqual(['u-1', 'u-2']);
  });

  it('given a large audience, when resolved, then it is recorded in parts of 1000', () => {
    const everyone = Array.from({ length: 2500 }, (_, n) => `u-${n}`);
    const events = decideScheduledMessage(
      resolve(everyone),
      [toTopic, dueNow].reduce(evolveScheduledMessage, initialScheduledMessageState),
    );
    expect(
      events.map(
        (event) =>
          event.type === 'AudienceResolved' && [
            event.data.part,
            event.data.parts,
            event.data.recipients.length,
          ],
      ),
    ).toEqual([
      [1, 3, 1000],
      [2, 3, 1000],
      [3, 3, 500],
    ]);
    const state = [toTopic, dueNow, ...events].reduce(
      evolveScheduledMessage,
      initialScheduledMessageState,
    );
    expect(recipientsAwaitingOutcome(state)).toEqual(everyone);
  });

  it('given it is due, when the audience is nobody, then that is recorded and the message is sent to 0 recipients', () => {
    spec
      .given([toTopic, dueNow])
      .when(resolve([]))
      .then([
        { type: 'AudienceResolved', data: { messageId: 'm-1', recipients: [], part: 1, parts: 1 } },
        { type: 'MessageSent', data: { messageId: 'm-1', delivered: 0, failed: 0 } },
      ]);
  });

  it('given the audience was resolved, when resolved again (a redelivered MessageDue), then nothing changes', () => {
    spec
      .given([
        toTopic,
        dueNow,
        {
          type: 'AudienceResolved',
          data: { messageId: 'm-1', recipients: ['u-1'], part: 1, parts: 1 },
        },
      ])
      .when(resolve(['u-1', 'u-2']))
      .then([]);
  });

  it('given it is not yet due, when the audience is resolved, then it is refused', () => {
    spec
      .given([toTopic])
      .when(resolve(['u-1']))
      .thenThrows(refusedWith(DomainErrorCode.MessageNotDue));
  });

  it('given a part size, when resolved, then the parts hold at most that many', () => {
    const events = decideScheduledMessage(
      { ...resolve(['u-1', 'u-2', 'u-3']), partSize: 2 } as ScheduledMessageCommand,
      [toTopic, dueNow].reduce(evolveScheduledMessage, initialScheduledMessageState),
    );
    expect(events).toEqual([
      {
        type: 'AudienceResolved',
        data: { messageId: 'm-1', recipients: ['u-1', 'u-2'], part: 1, parts: 2 },
      },
      {
        type: 'AudienceResolved',
        data: { messageId: 'm-1', recipients: ['u-3'], part: 2, parts: 2 },
      },
    ]);
  });

  describe('delivered part by part', () => {
    const part = (n: number, recipients: string[]): ScheduledMessageEvent => ({
      type: 'AudienceResolved',
      data: { messageId: 'm-1', recipients, part: n, parts: 2 },
    });
    const resolved = [toTopic, dueNow, part(1, ['u-1', 'u-2']), part(2, ['u-3'])];
    const partSpec = (n: number) =>
      deciderSpec<ScheduledMessageCommand, ScheduledMessageState, ScheduledMessageEvent>({
        decide: decideScheduledMessage,
        evolve: audiencePartEvolver(n),
        initialState: initialScheduledMessageState,
      });
    const delivered = (userId: string): ScheduledMessageEvent => ({
      type: 'RecipientDelivered',
      data: { messageId: 'm-1', userId, chatId: `c-${userId}`, telegramMessageIds: [7] },
    });
    const failure = (userId: string): ScheduledMessageCommand => ({
      type: 'RecordDeliveryFailure',
      messageId: 'm-1',
      userId,
      code: 'blocked',
      reason: 'Forbidden: bot was blocked by the user',
    });
    const complete = (
      partsSent: { part: number; delivered: number; failed: number }[],
    ): ScheduledMessageCommand => ({
      type: 'CompleteAudienceDelivery',
      messageId: 'm-1',
      partsSent,
    });

    it("a part's state holds that part's recipients only", () => {
      const state = resolved.reduce(audiencePartEvolver(2), initialScheduledMessageState);
      expect(recipientsAwaitingOutcome(state)).toEqual(['u-3']);
      expect(state.status === 'due' && [state.part, state.audienceParts]).toEqual([2, 2]);
    });

    it('given one outcome is left in a part, when it is recorded, then the part is sent, not the message', () => {
      partSpec(1)
        .given([...resolved, delivered('u-1')])
        .when(failure('u-2'))
        .then([
          {
            type: 'RecipientDeliveryFailed',
            data: {
              messageId: 'm-1',
              userId: 'u-2',
              code: 'blocked',
              reason: 'Forbidden: bot was blocked by the user',
            },
          },
          {
            type: 'AudiencePartSent',
            data: { messageId: 'm-1', part: 1, parts: 2, delivered: 1, failed: 1 },
          },
        ]);
    });

    it('when a recipient of another part is recorded in a part, then it is refused', () => {
      partSpec(1)
        .given(resolved)
        .when(failure('u-3'))
        .thenThrows(refusedWith(DomainErrorCode.NotARecipient));
    });

    it("when an outcome is recorded in the message's own stream, then it is refused: parts hold them", () => {
      spec
        .given(resolved)
        .when(failure('u-1'))
        .thenThrows((error) => error instanceof Error && /parts' streams/.test(error.message));
    });

    it('given not every part is sent, when completing, then nothing is appended', () => {
      spec
        .given(resolved)
        .when(complete([{ part: 2, delivered: 1, failed: 0 }]))
        .then([]);
    });

    it('given every part is sent, when completing, then the message is sent with the sums', () => {
      spec
        .given(resolved)
        .when(
          complete([
            { part: 2, delivered: 1, failed: 0 },
            { part: 1, delivered: 1, failed: 1 },
          ]),
        )
        .then([{ type: 'MessageSent', data: { messageId: 'm-1', delivered: 2, failed: 1 } }]);
    });

    describe('edited or recalled once sent', () => {
      const sentToAll: ScheduledMessageEvent = {
        type: 'MessageSent',
        data: { messageId: 'm-1', delivered: 3, failed: 0 },
      };
      const edited = (edit: number): ScheduledMessageEvent => ({
        type: 'MessageEdited',
        data: { messageId: 'm-1', text: `edit ${edit}`, edit, inChats: true },
      });
      const recalled: ScheduledMessageEvent = {
        type: 'MessageRecalled',
        data: { messageId: 'm-1', deadline: '2030-02-02T09:30:00.000Z', automatic: false },
      };
      const handed = (part: number, edit: number, recall = false): ScheduledMessageEvent => ({
        type: 'AudienceRevisionDue',
        data: { messageId: 'm-1', part, parts: 2, edit, recall },
      });
      const plan: ScheduledMessageCommand = { type: 'PlanAudienceRevision', messageId: 'm-1' };

      it('given an edit, when planned, then each part is handed it: one unit of work per part, as its delivery', () => {
        spec
          .given([...resolved, sentToAll, edited(1)])
          .when(plan)
          .then([handed(1, 1), handed(2, 1)]);
      });

      it('given the parts have the edit, when planned again (a redelivery), then nothing is appended', () => {
        spec
          .given([...resolved, sentToAll, edited(1), handed(1, 1), handed(2, 1)])
          .when(plan)
          .then([]);
      });

      it('given a later edit, then a recall, when planned, then the parts are handed the latest', () => {
        spec
          .given([...resolved, sentToAll, edited(1), handed(1, 1), handed(2, 1), edited(2)])
          .when(plan)
          .then([handed(1, 2), handed(2, 2)]);
        spec
          .given([...resolved, sentToAll, edited(1), handed(1, 1), handed(2, 1), recalled])
          .when(plan)
          .then([handed(1, 1, true), handed(2, 1, true)]);
      });

      it('given a broadcast still being sent, or sent and never edited, when planned, then nothing is appended', () => {
        spec.given(resolved).when(plan).then([]);
        spec
          .given([...resolved, sentToAll])
          .when(plan)
          .then([]);
      });
    });

    it('given the message is sent, when completing again (another part finished at once), then nothing changes', () => {
      spec
        .given([
          ...resolved,
          { type: 'MessageSent', data: { messageId: 'm-1', delivered: 2, failed: 1 } },
        ])
        .when(
          complete([
            { part: 1, delivered: 1, failed: 1 },
            { part: 2, delivered: 1, failed: 0 },
          ]),
        )
        .then([]);
    });
  });
});

describe('ScheduledMessage: edits and recalls', () => {
  const html = { ...DEFAULT_SEND_OPTIONS, parseMode: 'HTML' as const };
  const textOnly: ScheduledMessageEvent = {
    type: 'MessageScheduled',
    data: { ...scheduled.data, attachments: [], sendOptions: html },
  };
  const due: ScheduledMessageEvent = {
    type: 'MessageDue',
    data: { messageId: 'm-1', scheduledAt: scheduled.data.scheduledAt },
  };
  const sentTo = (userId: string, chatId: string, telegramMessageId: number) => [
    {
      type: 'RecipientPartSent' as const,
      data: { messageId: 'm-1', userId, chatId, part: 0, telegramMessageId },
    },
    {
      type: 'RecipientDelivered' as const,
      data: { messageId: 'm-1', userId, chatId, telegramMessageIds: [telegramMessageId] },
    },
  ];
  const sent: ScheduledMessageEvent[] = [
    textOnly,
    due,
    ...sentTo('u-1', '101', 7),
    ...sentTo('u-2', '102', 8),
    { type: 'MessageSent', data: { messageId: 'm-1', delivered: 2, failed: 0 } },
  ];
  const state = (events: ScheduledMessageEvent[]) =>
    events.reduce(evolveScheduledMessage, initialScheduledMessageState);
  const dueAt = new Date('2030-01-31T09:30:01.000Z');

  it('given a message not yet due, when its text is edited, then it will go out with the new one', () => {
    spec
      .given([textOnly])
      .when({ type: 'EditMessage', messageId: 'm-1', text: '<b>New</b>' })
      .then([
        {
          type: 'MessageEdited',
          data: { messageId: 'm-1', text: '<b>New</b>', edit: 1, inChats: false },
        },
      ]);
  });

  it('given a sent message, when edited, then every chat that got it is to be edited, and each is recorded once', () => {
    spec
      .given(sent)
      .when({ type: 'EditMessage', messageId: 'm-1', text: 'Fixed' })
      .then([
        {
          type: 'MessageEdited',
          data: { messageId: 'm-1', text: 'Fixed', edit: 1, inChats: true },
        },
      ]);
    const edited: ScheduledMessageEvent = {
      type: 'MessageEdited',
      data: { messageId: 'm-1', text: 'Fixed', edit: 1, inChats: true },
    };
    expect(chatsToEdit(state([...sent, edited]))).toEqual([
      { userId: 'u-1', chatId: '101', telegramMessageId: 7 },
      { userId: 'u-2', chatId: '102', telegramMessageId: 8 },
    ]);
    const record = (userId: string): RecordRevision => ({
      type: 'RecordRevision',
      messageId: 'm-1',
      userId,
      revision: { kind: 'edit', edit: 1 },
      outcome: { ok: true, chatId: '101' },
    });
    spec
      .given([...sent, edited])
      .when(record('u-1'))
      .then([
        {
          type: 'RecipientEdited',
          data: { messageId: 'm-1', userId: 'u-1', chatId: '101', edit: 1 },
        },
      ]);
    const done: ScheduledMessageEvent = {
      type: 'RecipientEdited',
      data: { messageId: 'm-1', userId: 'u-1', chatId: '101', edit: 1 },
    };
    spec
      .given([...sent, edited, done])
      .when(record('u-1'))
      .then([]);
    expect(chatsToEdit(state([...sent, edited, done]))).toEqual([
      { userId: 'u-2', chatId: '102', telegramMessageId: 8 },
    ]);
  });

  it('refuses an edit while the message is being sent, once cancelled, and one Telegram could not read', () => {
    spec
      .given([textOnly, due])
      .when({ type: 'EditMessage', messageId: 'm-1', text: 'x' })
      .thenThrows(refusedWith(DomainErrorCode.MessageNotEditable));
    spec
      .given([textOnly, { type: 'MessageCancelled', data: { messageId: 'm-1' } }])
      .when({ type: 'EditMessage', messageId: 'm-1', text: 'x' })
      .thenThrows(refusedWith(DomainErrorCode.MessageNotEditable));
    spec
      .given(sent)
      .when({ type: 'EditMessage', messageId: 'm-1', text: '<b>x</i>' })
      .thenThrows(refusedWith(DomainErrorCode.InvalidFormatting));
  });

  it('given a sent message, when recalled within 48 hours of falling due, then every copy is to be deleted; after, it is refused with the deadline', () => {
    const recalled: ScheduledMessageEvent = {
      type: 'MessageRecalled',
      data: { messageId: 'm-1', deadline: '2030-02-02T09:30:01.000Z', automatic: false },
    };
    spec
      .given(sent)
      .when({
        type: 'RecallMessage',
        messageId: 'm-1',
        now: new Date('2030-02-02T09:30:00Z'),
        dueAt,
      })
      .then([recalled]);
    expect(chatsToRecall(state([...sent, recalled]))).toEqual([
      { userId: 'u-1', chatId: '101', telegramMessageIds: [7] },
      { userId: 'u-2', chatId: '102', telegramMessageIds: [8] },
    ]);
    spec
      .given(sent)
      .when({
        type: 'RecallMessage',
        messageId: 'm-1',
        now: new Date('2030-02-02T09:30:02Z'),
        dueAt,
      })
      .thenThrows(
        (error) =>
          refusedWith(DomainErrorCode.RecallWindowPassed)(error) &&
          (error as DomainError).details.deadline === '2030-02-02T09:30:01.000Z',
      );
    // Recalled: no second recall, no edit, and nothing left to edit.
    spec
      .given([...sent, recalled])
      .when({ type: 'EditMessage', messageId: 'm-1', text: 'late' })
      .thenThrows(refusedWith(DomainErrorCode.MessageNotEditable));
    spec
      .given([textOnly])
      .when({ type: 'RecallMessage', messageId: 'm-1', now: dueAt, dueAt })
      .thenThrows(refusedWith(DomainErrorCode.MessageNotEditable));
  });
});

describe('ScheduledMessage: delete_after', () => {
  it('when scheduled to everyone with delete_after, then it is scheduled: its parts are recalled like any message', () => {
    const [event] = decideScheduledMessage(
      command({
        recipients: [],
        audience: { kind: 'all' },
        recipientStatus: new Map(),
        sendOptions: { ...DEFAULT_SEND_OPTIONS, deleteAfter: 60 },
      }),
      initialScheduledMessageState,
    );
    expect(event?.type === 'MessageScheduled' && event.data.sendOptions.deleteAfter).toBe(60);
  });

  it('given a broadcast sent, when edited, then every part’s chats are to edit, each part apart', () => {
    const broadcast: ScheduledMessageEvent[] = [
      {
        type: 'MessageScheduled',
        data: { ...scheduled.data, recipients: [], audience: { kind: 'all' }, attachments: [] },
      },
      { type: 'MessageDue', data: { messageId: 'm-1', scheduledAt: '2030-01-31T09:30:00.000Z' } },
      {
        type: 'AudienceResolved',
        data: { messageId: 'm-1', part: 1, parts: 2, recipients: ['u-1'] },
      },
      {
        type: 'AudienceResolved',
        data: { messageId: 'm-1', part: 2, parts: 2, recipients: ['u-2'] },
      },
      {
        type: 'MessageSent',
        data: { messageId: 'm-1', delivered: 2, failed: 0 },
      },
    ];
    spec
      .given(broadcast)
      .when({ type: 'EditMessage', messageId: 'm-1', text: 'Hello again' })
      .then([
        {
          type: 'MessageEdited',
          data: { messageId: 'm-1', text: 'Hello again', edit: 1, inChats: true },
        },
      ]);
    // Part 2's stream: its recipient's send, folded after the message's own events.
    const edited: ScheduledMessageEvent = {
      type: 'MessageEdited',
      data: { messageId: 'm-1', text: 'Hello again', edit: 1, inChats: true },
    };
    const partTwo = [
      ...broadcast,
      edited,
      {
        type: 'RecipientPartSent',
        data: { messageId: 'm-1', userId: 'u-2', chatId: '22', part: 0, telegramMessageId: 5 },
      },
    ] as ScheduledMessageEvent[];
    const state = partTwo.reduce(audiencePartEvolver(2), initialScheduledMessageState);
    expect(chatsToEdit(state)).toEqual([{ userId: 'u-2', chatId: '22', telegramMessageId: 5 }]);
    const recalled = [
      ...partTwo,
      {
        type: 'MessageRecalled',
        data: { messageId: 'm-1', deadline: '2030-02-02T09:30:00.000Z', automatic: true },
      },
    ] as ScheduledMessageEvent[];
    expect(
      chatsToRecall(recalled.reduce(audiencePartEvolver(2), initialScheduledMessageState)),
    ).toEqual([{ userId: 'u-2', chatId: '22', telegramMessageIds: [5] }]);
  });
});
