import { IsDefined, IsOptional, IsString } from 'class-validator';
import { ApiError } from './api-error';
import { EXTRA_FIELD_LIMITS, extraFieldsOf, extraJsonFieldsOf } from './extra-fields';

const known = (name: string) => ['message', 'scheduled_timestamp'].includes(name);

function refusal(run: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, details: { ...error.details } };
    throw error;
  }
  throw new Error('accepted');
}

class ExampleDto {
  @IsDefined()
  @IsString()
  chat_id!: string;

  @IsOptional()
  @IsString()
  nickname?: string;
}

describe('extra fields', () => {
  it('finds the fields a route does not take, values as sent; none when there are none', () => {
    expect(
      extraFieldsOf(
        { message: 'hi', from_sender: 'crm', tags: ['a', 'b'], meta: { source: 'web' } },
        known,
      ),
    ).toEqual({ from_sender: 'crm', tags: ['a', 'b'], meta: { source: 'web' } });
    expect(extraFieldsOf({ message: 'hi' }, known)).toBeUndefined();
    expect(extraFieldsOf(undefined, known)).toBeUndefined();
    expect(extraFieldsOf(['not', 'an', 'object'], known)).toBeUndefined();
  });

  it('accepts exactly the limits', () => {
    const fields = {
      ...Object.fromEntries(
        Array.from({ length: EXTRA_FIELD_LIMITS.count - 1 }, (_, n) => [`f${n}`, 'x']),
      ),
      ['n'.repeat(EXTRA_FIELD_LIMITS.nameLength)]: 'é'.repeat(EXTRA_FIELD_LIMITS.valueBytes / 2),
    };
    expect(Object.keys(extraFieldsOf(fields, known) ?? {})).toHaveLength(EXTRA_FIELD_LIMITS.count);
  });

  it('refuses one field too many, counting a repeated field once per value', () => {
    const many = Object.fromEntries(
      Array.from({ length: EXTRA_FIELD_LIMITS.count + 1 }, (_, n) => [`f${n}`, 'x']),
    );
    expect(refusal(() => extraFieldsOf(many, known)).code).toBe('TOO_MANY_EXTRA_FIELDS');
    const repeated = { tag: Array.from({ length: EXTRA_FIELD_LIMITS.count + 1 }, () => 'x') };
    expect(refusal(() => extraFieldsOf(repeated, known))).toMatchObject({
      code: 'TOO_MANY_EXTRA_FIELDS',
      details: { fields: ['tag'] },
    });
  });

  it('refuses a name or a value over its limit, naming the field', () => {
    const longName = 'n'.repeat(EXTRA_FIELD_LIMITS.nameLength + 1);
    expect(refusal(() => extraFieldsOf({ [longName]: 'x' }, known))).toMatchObject({
      code: 'EXTRA_FIELD_NAME_TOO_LONG',
      details: { field: longName.slice(0, EXTRA_FIELD_LIMITS.nameLength) },
    });
    // Bytes, not characters: 513 two-byte characters are 1026 bytes.
    expect(refusal(() => extraFieldsOf({ username: 'é'.repeat(513) }, known))).toMatchObject({
      code: 'EXTRA_FIELD_TOO_LONG',
      details: { field: 'username' },
    });
    expect(refusal(() => extraFieldsOf({ tags: ['short', 'x'.repeat(1025)] }, known)).code).toBe(
      'EXTRA_FIELD_TOO_LONG',
    );
    // A JSON value counts as its JSON.
    expect(refusal(() => extraFieldsOf({ profile: { bio: 'b'.repeat(1020) } }, known)).code).toBe(
      'EXTRA_FIELD_TOO_LONG',
    );
  });

  it("reads a JSON body's known fields from its DTO's validation rules", () => {
    expect(
      extraJsonFieldsOf({ chat_id: '1', nickname: 'n', from_sender: 'crm' }, ExampleDto),
    ).toEqual({ from_sender: 'crm' });
    expect(extraJsonFieldsOf({ chat_id: '1' }, ExampleDto)).toBeUndefined();
  });
});
