import { DEFAULT_SEND_OPTIONS, type ScheduledMessageEvent } from '../../../../domain/src/events';
import {
  evolveScheduledMessage,
  initialScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import { TelegramSendError } from '../../ports/telegram-sender';
import {
  type KnownMessage,
  PermanentFailure,
  permanentFailureOf,
  planDelivery,
} from './delivery-plan';

const attachment = {
  objectKey: 'attachments/m/1-a.pdf',
  fileName: 'a.pdf',
  contentType: 'application/pdf',
  declaredContentType: 'application/pdf',
  size: 10,
  sha256: 'ab'.repeat(32),
  image: null,
};

/** A message to four recipients with a text and one file (parts 0 and 1), due, after `events`. */
function given(...events: ScheduledMessageEvent[]): KnownMessage {
  return givenMessage({}, ...events);
}

/** The same message with other data (files, options), due, after `events`. */
function givenMessage(
  data: Partial<Extract<ScheduledMessageEvent, { type: 'MessageScheduled' }>['data']>,
  ...events: ScheduledMessageEvent[]
): KnownMessage {
  const history: ScheduledMessageEvent[] = [
    {
      type: 'MessageScheduled',
      data: {
        messageId: 'm',
        recipients: ['ann', 'bob', 'cy', 'dee'],
        text: 'hello',
        scheduledAt: '2030-01-01T00:00:00.000Z',
        attachments: [attachment],
        fromSender: null,
        series: null,
        audience: null,
        paidBroadcast: false,
        sendOptions: DEFAULT_SEND_OPTIONS,
        buttons: [],
        ...data,
      },
    },
    { type: 'MessageDue', data: { messageId: 'm', scheduledAt: '2030-01-01T00:00:00.000Z' } },
    ...events,
  ];
  return history.reduce(evolveScheduledMessage, initialScheduledMessageState) as KnownMessage;
}

const subscriber = (userId: string, chatId: string, status: 'active' | 'unsubscribed') => ({
  userId,
  chatId,
  status,
  chatName: `chat ${chatId}`,
  firstName: null,
  lastName: null,
  username: null,
});
const active = (userId: string, chatId: string) => subscriber(userId, chatId, 'active');

describe('planDelivery', () => {
  it('given a due message, plans every part for each active subscriber, to their chat', () => {
    expect(planDelivery(given(), [active('ann', '1'), active('bob', '2')]).slice(0, 2)).toEqual([
      {
        kind: 'send',
        userId: 'ann',
        chatId: '1',
        units: [
          { kind: 'text', parts: [0] },
          { kind: 'file', parts: [1] },
        ],
        text: 'hello',
      },
      {
        kind: 'send',
        userId: 'bob',
        chatId: '2',
        units: [
          { kind: 'text', parts: [0] },
          { kind: 'file', parts: [1] },
        ],
        text: 'hello',
      },
    ]);
  });

  it('plans an album (as_album) as one unit, the text its caption; what an album left unrecorded goes part by part', () => {
    const photo = { ...attachment, contentType: 'image/jpeg', fileName: 'a.jpg' };
    const message = givenMessage(
      {
        attachments: [photo, photo],
        sendOptions: { ...DEFAULT_SEND_OPTIONS, sendAs: 'media', asAlbum: true },
      },
      {
        type: 'RecipientPartSent',
        data: { messageId: 'm', userId: 'bob', chatId: '2', part: 1, telegramMessageId: 7 },
      },
    );
    const [ann, bob] = planDelivery(message, [active('ann', '1'), active('bob', '2')]);
    expect(ann).toMatchObject({ units: [{ kind: 'album', parts: [0, 1, 2], captioned: true }] });
    expect(bob).toMatchObject({
      units: [
        { kind: 'text', parts: [0] },
        { kind: 'file', parts: [2] },
      ],
    });
  });

  it('fails a recipient who is no subscriber, or who unsubscribed before the message was due', () => {
    const plans = planDelivery(given(), [
      active('ann', '1'),
      subscriber('bob', '2', 'unsubscribed'),
    ]);
    expect(plans.map((plan) => [plan.userId, plan.kind === 'fail' && plan.failure.code])).toEqual([
      ['ann', false],
      ['bob', 'unsubscribed'],
      ['cy', 'unknown_recipient'],
      ['dee', 'unknown_recipient'],
    ]);
  });

  it('given parts recorded and outcomes known, plans only what is left', () => {
    const message = given(
      {
        type: 'RecipientPartSent',
        data: { messageId: 'm', userId: 'ann', chatId: '1', part: 0, telegramMessageId: 7 },
      },
      {
        type: 'RecipientDeliveryFailed',
        data: { messageId: 'm', userId: 'bob', code: 'blocked', reason: 'blocked' },
      },
    );
    const plans = planDelivery(message, [
      active('ann', '1'),
      active('bob', '2'),
      active('cy', '3'),
      active('dee', '4'),
    ]);
    expect(plans).toEqual([
      {
        kind: 'send',
        userId: 'ann',
        chatId: '1',
        units: [{ kind: 'file', parts: [1] }],
        text: 'hello',
      },
      {
        kind: 'send',
        userId: 'cy',
        chatId: '3',
        units: [
          { kind: 'text', parts: [0] },
          { kind: 'file', parts: [1] },
        ],
        text: 'hello',
      },
      {
        kind: 'send',
        userId: 'dee',
        chatId: '4',
        units: [
          { kind: 'text', parts: [0] },
          { kind: 'file', parts: [1] },
        ],
        text: 'hello',
      },
    ]);
  });
});

describe('planDelivery with a template', () => {
  it('fills in each recipient’s own values, escaped for the parse mode', () => {
    const message = {
      ...given(),
      text: '<b>Hi {{first_name}}</b> ({{chat_name}})',
    } as KnownMessage;
    const html = {
      ...message,
      sendOptions: { ...DEFAULT_SEND_OPTIONS, parseMode: 'HTML' as const },
    } as KnownMessage;
    const plans = planDelivery(html, [
      { ...active('ann', '1'), firstName: 'Ann', username: 'ann_b' },
      { ...active('bob', '2'), chatName: 'Bob & Co' },
    ]);
    expect(plans.slice(0, 2).map((plan) => plan.kind === 'send' && plan.text)).toEqual([
      '<b>Hi Ann</b> (chat 1)',
      '<b>Hi Bob &amp; Co</b> (Bob &amp; Co)',
    ]);
  });
});

describe('permanentFailureOf', () => {
  it.each([
    ['blocked', 'blocked', 'Forbidden: bot was blocked by the user'],
    ['chat_not_found', 'chat_not_found', 'Bad Request: chat not found'],
    ['rejected', 'rejected', 'Bad Request: message is too long'],
    ['chat_migrated', 'rejected', 'Bad Request: group chat was upgraded'],
    ['transient', 'send_failed', 'Gave up after 5 attempts: Bad Gateway'],
    ['rate_limited', 'send_failed', 'Gave up after 5 attempts: Too Many Requests'],
  ] as const)('reads a %s send as %s', (kind, code, reason) => {
    const description = reason.replace('Gave up after 5 attempts: ', '');
    expect(permanentFailureOf(new TelegramSendError(kind, description), 5)).toEqual(
      new PermanentFailure(code, reason),
    );
  });

  it('keeps a failure already decided, and throws anything that is not a refusal again', () => {
    const missing = new PermanentFailure('attachment_missing', 'gone');
    expect(permanentFailureOf(missing, 5)).toBe(missing);
    const database = new Error('connection terminated');
    expect(() => permanentFailureOf(database, 5)).toThrow(database);
  });
});
