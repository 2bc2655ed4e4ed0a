import { DomainError, DomainErrorCode } from './errors';
import { parseIsoTimestamp } from './timestamp';

describe('parseIsoTimestamp', () => {
  it.each([
    ['2025-12-05T10:30:00Z', '2025-12-05T10:30:00.000Z'],
    ['2025-12-05T10:30:00', '2025-12-05T10:30:00.000Z'],
    ['2025-12-05T10:30', '2025-12-05T10:30:00.000Z'],
    ['2025-12-05', '2025-12-05T00:00:00.000Z'],
    ['2025-12-05T10:30:00.5+02:00', '2025-12-05T08:30:00.500Z'],
    ['2025-12-05T10:30:00-0130', '2025-12-05T12:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (raw, iso) => {
    expect(parseIsoTimestamp(raw).toISOString()).toBe(iso);
  });

  it.each([
    ['not a date'],
    [''],
    ['2026-02-30T10:00:00Z'],
    ['2025-02-29T00:00:00Z'],
    ['2025-13-01T00:00:00Z'],
    ['2025-12-05T24:00:00Z'],
    ['2025-12-05T10:60:00Z'],
    ['1733400000'],
    ['2025-12-05T10:30:00+15:00'],
    ['12/05/2025'],
  ])('refuses %p', (raw) => {
    expect(() => parseIsoTimestamp(raw)).toThrow(DomainError);
    try {
      parseIsoTimestamp(raw);
    } catch (error) {
      expect((error as DomainError).code).toBe(DomainErrorCode.InvalidTimestamp);
      expect((error as DomainError).message).toContain('scheduled_timestamp');
    }
  });
});
