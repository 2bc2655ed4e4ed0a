import { deciderSpec } from './decider-spec';
import { DomainError, DomainErrorCode } from './errors';
import type { Attachment, ScheduledMessageEvent } from './events';
import {
  decideScheduledMessage,
  evolveScheduledMessage,
  initialScheduledMessageState,
  MAX_MESSAGE_LENGTH,
  parseRecipientList,
  type RecipientStatus,
  type ScheduledMessageCommand,
  type ScheduledMessageState,
  type ScheduleMessage,
} from './scheduled-message';

const spec = deciderSpec<ScheduledMessageCommand, ScheduledMessageState, ScheduledMessageEvent>({
  decide: decideScheduledMessage,
  evolve: evolveScheduledMessage,
  initialState: initialScheduledMessageState,
});

const refusedWith = (code: DomainErrorCode) => (error: unknown) =>
  error instanceof DomainError && error.code === code;

const attachment: Attachment = {
  objectKey: 'attachments/k1/report.pdf',
  fileName: 'report.pdf',
  contentType: 'application/pdf',
  size: 1000,
  sha256: 'ab'.repeat(32),
};

function command(overrides: Partial<ScheduleMessage> = {}): ScheduleMessage {
  return {
    type: 'ScheduleMessage',
    messageId: 'm-1',
    recipients: ['u-1', 'u-2'],
    text: 'Hello',
    scheduledAt: new Date('2030-01-31T09:30:00Z'),
    attachments: [attachment],
    recipientStatus: new Map<string, RecipientStatus>([
      ['u-1', 'active'],
      ['u-2', 'active'],
      ['u-3', 'unsubscribed'],
    ]),
    limits: { maxCount: 10, maxBytes: 50 * 1024 * 1024 },
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
      { attachments: [attachment, attachment], limits: { maxCount: 1, maxBytes: 10_000 } },
      DomainErrorCode.TooManyAttachments,
    ],
    [
      'a file over the size limit',
      { limits: { maxCount: 10, maxBytes: 999 } },
      DomainErrorCode.AttachmentTooLarge,
    ],
    ['an invalid time', { scheduledAt: new Date('nope') }, DomainErrorCode.InvalidTimestamp],
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

  it('accepts exactly 4096 characters', () => {
    const text = 'y'.repeat(MAX_MESSAGE_LENGTH);
    const [event] = decideScheduledMessage(command({ text }), initialScheduledMessageState);
    expect(event?.data.text).toHaveLength(MAX_MESSAGE_LENGTH);
  });
});

describe('parseRecipientList', () => {
  it('splits the seed comma-separated field, trimming blanks', () => {
    expect(parseRecipientList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseRecipientList(' , ')).toEqual([]);
  });
});
