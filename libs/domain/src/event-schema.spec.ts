import { CURRENT_SCHEMA_VERSION, UnknownSchemaVersionError, upcast } from './event-schema';
import { DEFAULT_SEND_OPTIONS } from './events';

const v1Scheduled = {
  messageId: 'm1',
  recipients: ['u1'],
  text: 'hello',
  scheduledAt: '2030-01-01T00:00:00.000Z',
  attachments: [
    {
      objectKey: 'attachments/m1/1-a.pdf',
      fileName: 'a.pdf',
      contentType: 'application/pdf',
      size: 10,
      sha256: 'ab'.repeat(32),
      // Not in version 1: every version before 11 reads it as null, which the upcaster of version
      // 10 adds (its own test below); here it keeps the expectations of the other versions short.
      image: null,
    },
  ],
};

const v2Scheduled = {
  ...v1Scheduled,
  attachments: [{ ...v1Scheduled.attachments[0], declaredContentType: 'text/plain' }],
};

describe('upcast', () => {
  it('reads a version 1 MessageScheduled with the client’s type as declaredContentType and no sender', () => {
    expect(upcast('MessageScheduled', 1, v1Scheduled)).toEqual({
      schemaVersion: 11,
      data: {
        ...v1Scheduled,
        attachments: [{ ...v1Scheduled.attachments[0], declaredContentType: 'application/pdf' }],
        fromSender: null,
        series: null,
        audience: null,
        paidBroadcast: false,
        sendOptions: DEFAULT_SEND_OPTIONS,
        buttons: [],
      },
    });
    expect(CURRENT_SCHEMA_VERSION.MessageScheduled).toBe(11);
  });

  it('reads a version 2 MessageScheduled as one without a sender label', () => {
    expect(upcast('MessageScheduled', 2, v2Scheduled)).toEqual({
      schemaVersion: 11,
      data: {
        ...v2Scheduled,
        fromSender: null,
        series: null,
        audience: null,
        paidBroadcast: false,
        sendOptions: DEFAULT_SEND_OPTIONS,
        buttons: [],
      },
    });
  });

  it('reads a version 3 MessageScheduled as a message of no series', () => {
    const v3Scheduled = { ...v2Scheduled, fromSender: 'crm' };
    expect(upcast('MessageScheduled', 3, v3Scheduled)).toEqual({
      schemaVersion: 11,
      data: {
        ...v3Scheduled,
        series: null,
        audience: null,
        paidBroadcast: false,
        sendOptions: DEFAULT_SEND_OPTIONS,
        buttons: [],
      },
    });
  });

  it('reads a version 5 MessageScheduled as a message sent within the free limits', () => {
    const v5Scheduled = { ...v2Scheduled, fromSender: null, series: null, audience: null };
    expect(upcast('MessageScheduled', 5, v5Scheduled)).toEqual({
      schemaVersion: 11,
      data: {
        ...v5Scheduled,
        paidBroadcast: false,
        sendOptions: DEFAULT_SEND_OPTIONS,
        buttons: [],
      },
    });
  });

  it("reads a version 6 MessageScheduled as a message sent with Telegram's defaults", () => {
    const v6Scheduled = {
      ...v2Scheduled,
      fromSender: null,
      series: null,
      audience: null,
      paidBroadcast: true,
    };
    expect(upcast('MessageScheduled', 6, v6Scheduled)).toEqual({
      schemaVersion: 11,
      data: {
        ...v6Scheduled,
        sendOptions: {
          disableNotification: false,
          protectContent: false,
          messageThreadId: null,
          linkPreview: 'on',
          parseMode: 'plain',
          deleteAfter: null,
          sendAs: 'documents',
          asAlbum: false,
        },
        buttons: [],
      },
    });
  });

  it('reads a version 7 MessageScheduled as a message without buttons', () => {
    const v7Scheduled = {
      ...v2Scheduled,
      fromSender: null,
      series: null,
      audience: null,
      paidBroadcast: false,
      sendOptions: { ...DEFAULT_SEND_OPTIONS, disableNotification: true },
    };
    expect(upcast('MessageScheduled', 7, v7Scheduled)).toEqual({
      schemaVersion: 11,
      data: { ...v7Scheduled, buttons: [] },
    });
  });

  it('reads a version 8 MessageScheduled, and series events of version 4, as plain text', () => {
    const {
      parseMode: _none,
      deleteAfter: _kept,
      sendAs: _asDocuments,
      ...optionsBefore
    } = {
      ...DEFAULT_SEND_OPTIONS,
      protectContent: true,
    };
    const v8Scheduled = {
      ...v2Scheduled,
      fromSender: null,
      series: null,
      audience: null,
      paidBroadcast: false,
      sendOptions: optionsBefore,
      buttons: [],
    };
    expect(upcast('MessageScheduled', 8, v8Scheduled)).toEqual({
      schemaVersion: 11,
      data: {
        ...v8Scheduled,
        sendOptions: {
          ...optionsBefore,
          parseMode: 'plain',
          deleteAfter: null,
          sendAs: 'documents',
        },
      },
    });
    const v4Changed = {
      seriesId: 's1',
      recipients: ['u1'],
      text: 'hello',
      rule: { rrule: 'FREQ=DAILY', dtstart: '2027-01-04T10:00', timeZone: 'Europe/Berlin' },
      ruleChanged: false,
      atRecipientLocalTime: false,
      audience: null,
      sendOptions: null,
      buttons: null,
      changedAt: '2027-01-02T00:00:00.000Z',
      released: [],
    };
    expect(upcast('SeriesChanged', 4, v4Changed).data).toEqual(v4Changed);
    expect(upcast('SeriesChanged', 4, { ...v4Changed, sendOptions: optionsBefore }).data).toEqual({
      ...v4Changed,
      sendOptions: { ...optionsBefore, parseMode: 'plain', deleteAfter: null, sendAs: 'documents' },
    });
  });

  it('reads a version 9 MessageScheduled, and series events of version 5, as each file on its own', () => {
    const { asAlbum: _none, ...optionsBefore } = { ...DEFAULT_SEND_OPTIONS, sendAs: 'media' };
    const v9Scheduled = {
      ...v2Scheduled,
      fromSender: null,
      series: null,
      audience: null,
      paidBroadcast: false,
      sendOptions: optionsBefore,
      buttons: [],
    };
    expect(upcast('MessageScheduled', 9, v9Scheduled)).toEqual({
      schemaVersion: 11,
      data: { ...v9Scheduled, sendOptions: { ...optionsBefore, asAlbum: false } },
    });
    const v5Changed = {
      seriesId: 's1',
      recipients: ['u1'],
      text: 'hello',
      rule: { rrule: 'FREQ=DAILY', dtstart: '2027-01-04T10:00', timeZone: 'Europe/Berlin' },
      ruleChanged: false,
      atRecipientLocalTime: false,
      audience: null,
      sendOptions: optionsBefore,
      buttons: null,
      changedAt: '2027-01-02T00:00:00.000Z',
      released: [],
    };
    expect(upcast('SeriesChanged', 5, v5Changed)).toEqual({
      schemaVersion: 6,
      data: { ...v5Changed, sendOptions: { ...optionsBefore, asAlbum: false } },
    });
    expect(upcast('SeriesChanged', 5, { ...v5Changed, sendOptions: null }).data).toEqual({
      ...v5Changed,
      sendOptions: null,
    });
  });

  it('reads a version 10 MessageScheduled, and a version 6 SeriesCreated, as images of unknown size', () => {
    const { image: _none, ...before } = v2Scheduled.attachments[0]!;
    const v10Scheduled = {
      ...v2Scheduled,
      attachments: [before],
      fromSender: null,
      series: null,
      audience: null,
      paidBroadcast: false,
      sendOptions: DEFAULT_SEND_OPTIONS,
      buttons: [],
    };
    expect(upcast('MessageScheduled', 10, v10Scheduled)).toEqual({
      schemaVersion: 11,
      data: { ...v10Scheduled, attachments: [{ ...before, image: null }] },
    });
    const v6Created = {
      seriesId: 's1',
      recipients: ['u1'],
      text: 'hello',
      attachments: [before],
      fromSender: null,
      rule: { rrule: 'FREQ=DAILY', dtstart: '2027-01-04T10:00', timeZone: 'Europe/Berlin' },
      createdAt: '2027-01-01T00:00:00.000Z',
      owner: 'default',
      atRecipientLocalTime: false,
      audience: null,
      sendOptions: DEFAULT_SEND_OPTIONS,
      buttons: [],
    };
    expect(upcast('SeriesCreated', 6, v6Created)).toEqual({
      schemaVersion: 7,
      data: { ...v6Created, attachments: [{ ...before, image: null }] },
    });
  });

  it('reads a version 4 MessageScheduled as a message to its user ids, no audience', () => {
    const v4Scheduled = { ...v2Scheduled, fromSender: null, series: null };
    expect(upcast('MessageScheduled', 4, v4Scheduled)).toEqual({
      schemaVersion: 11,
      data: {
        ...v4Scheduled,
        audience: null,
        paidBroadcast: false,
        sendOptions: DEFAULT_SEND_OPTIONS,
        buttons: [],
      },
    });
  });

  it('reads series events from before audiences as series to their user ids', () => {
    const v1Created = {
      seriesId: 's1',
      recipients: ['u1'],
      text: 'hello',
      attachments: [],
      fromSender: null,
      rule: { rrule: 'FREQ=DAILY', dtstart: '2027-01-04T10:00', timeZone: 'Europe/Berlin' },
      createdAt: '2027-01-01T00:00:00.000Z',
      owner: 'default',
    };
    expect(upcast('SeriesCreated', 1, v1Created)).toEqual({
      schemaVersion: 7,
      data: {
        ...v1Created,
        atRecipientLocalTime: false,
        audience: null,
        sendOptions: DEFAULT_SEND_OPTIONS,
        buttons: [],
      },
    });
    const v2Changed = {
      seriesId: 's1',
      recipients: ['u1'],
      text: 'hello again',
      rule: v1Created.rule,
      ruleChanged: false,
      atRecipientLocalTime: true,
      changedAt: '2027-01-02T00:00:00.000Z',
      released: [],
    };
    expect(upcast('SeriesChanged', 2, v2Changed)).toEqual({
      schemaVersion: 6,
      // Send options and buttons as they were: no change could touch them then.
      data: { ...v2Changed, audience: null, sendOptions: null, buttons: null },
    });
  });

  it("reads a version 3 SeriesCreated as a series sent with Telegram's defaults, without buttons", () => {
    const v3Created = {
      seriesId: 's1',
      recipients: [],
      text: 'hello',
      attachments: [],
      fromSender: null,
      rule: { rrule: 'FREQ=DAILY', dtstart: '2027-01-04T10:00', timeZone: 'Europe/Berlin' },
      createdAt: '2027-01-01T00:00:00.000Z',
      owner: 'default',
      atRecipientLocalTime: false,
      audience: { kind: 'all' },
    };
    expect(upcast('SeriesCreated', 3, v3Created)).toEqual({
      schemaVersion: 7,
      data: { ...v3Created, sendOptions: DEFAULT_SEND_OPTIONS, buttons: [] },
    });
  });

  it('reads a version 1 UserSubscribed as a subscriber whose names are not known', () => {
    const v1Subscribed = { userId: 'u1', chatId: '42', chatName: 'ann' };
    expect(upcast('UserSubscribed', 1, v1Subscribed)).toEqual({
      schemaVersion: 2,
      data: { ...v1Subscribed, profile: null, chatType: null },
    });
  });

  it('leaves current data as it is', () => {
    const current = {
      ...v2Scheduled,
      fromSender: 'crm',
      series: { seriesId: 's1', occurrenceAt: '2030-01-01T00:00:00.000Z' },
      audience: { kind: 'all' },
      paidBroadcast: true,
      sendOptions: {
        ...DEFAULT_SEND_OPTIONS,
        messageThreadId: 3,
        linkPreview: { url: 'https://a.b' },
        parseMode: 'MarkdownV2',
      },
    };
    expect(upcast('MessageScheduled', 11, current)).toEqual({ schemaVersion: 11, data: current });
    const due = { messageId: 'm1', scheduledAt: '2030-01-01T00:00:00.000Z' };
    expect(upcast('MessageDue', 1, due)).toEqual({ schemaVersion: 1, data: due });
  });

  it('refuses a version newer than the code knows', () => {
    expect(() => upcast('MessageScheduled', 12, v1Scheduled)).toThrow(UnknownSchemaVersionError);
  });
});
