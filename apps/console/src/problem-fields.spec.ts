import { composerFieldOf } from './problem-fields';

describe('where the composer shows a refusal', () => {
  it('puts it next to the field the API names', () => {
    expect(
      composerFieldOf({
        status: 400,
        code: 'INVALID_REQUEST',
        detail: '',
        details: { field: 'files' },
      }),
    ).toBe('files');
    expect(
      composerFieldOf({
        status: 400,
        code: 'INVALID_REQUEST',
        detail: '',
        details: { fields: ['scheduled_timestamp'] },
      }),
    ).toBe('scheduled_timestamp');
  });

  it('else next to the field its code is about', () => {
    const field = (code: string) => composerFieldOf({ status: 400, code, detail: '' });
    expect(field('INVALID_TIMESTAMP')).toBe('scheduled_timestamp');
    expect(field('UNKNOWN_RECIPIENTS')).toBe('recipients');
    expect(field('UNKNOWN_TOPIC')).toBe('recipients');
    expect(field('ATTACHMENT_TOO_LARGE')).toBe('files');
    expect(field('MISSING_MESSAGE')).toBe('message');
    expect(field('INVALID_FORMATTING')).toBe('message');
    expect(field('RATE_LIMITED')).toBe('form');
  });
});
