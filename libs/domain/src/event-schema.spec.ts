import { CURRENT_SCHEMA_VERSION, UnknownSchemaVersionError, upcast } from './event-schema';

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
    },
  ],
};

describe('upcast', () => {
  it('reads a version 1 MessageScheduled with the client’s type as declaredContentType', () => {
    expect(upcast('MessageScheduled', 1, v1Scheduled)).toEqual({
      schemaVersion: 2,
      data: {
        ...v1Scheduled,
        attachments: [{ ...v1Scheduled.attachments[0], declaredContentType: 'application/pdf' }],
      },
    });
    expect(CURRENT_SCHEMA_VERSION.MessageScheduled).toBe(2);
  });

  it('leaves current data as it is', () => {
    const current = {
      ...v1Scheduled,
      attachments: [{ ...v1Scheduled.attachments[0], declaredContentType: 'text/plain' }],
    };
    expect(upcast('MessageScheduled', 2, current)).toEqual({ schemaVersion: 2, data: current });
    const due = { messageId: 'm1', scheduledAt: '2030-01-01T00:00:00.000Z' };
    expect(upcast('MessageDue', 1, due)).toEqual({ schemaVersion: 1, data: due });
  });

  it('refuses a version newer than the code knows', () => {
    expect(() => upcast('MessageScheduled', 3, v1Scheduled)).toThrow(UnknownSchemaVersionError);
  });
});
