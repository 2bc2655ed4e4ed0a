import { ApiError } from './api-error';
import { type ExtraFields, extraFieldsOf } from './extra-fields';

/**
 * A multipart form's text fields: those the route takes (each at most once, as text), and the
 * others kept as extra fields for the audit.
 */
export function readFormFields<Name extends string>(
  body: unknown,
  names: readonly Name[],
): { fields: Partial<Record<Name, string>>; extraFields: ExtraFields | undefined } {
  const fields = (body ?? {}) as Record<string, unknown>;
  const extraFields = extraFieldsOf(fields, (name) => (names as readonly string[]).includes(name));
  const result: Partial<Record<Name, string>> = {};
  for (const name of names) {
    const value = fields[name];
    if (Array.isArray(value)) {
      throw new ApiError('DUPLICATE_FIELD', `Field '${name}' is given more than once`, {
        field: name,
      });
    }
    if (typeof value === 'string') result[name] = value;
    else if (value !== undefined) {
      throw new ApiError('INVALID_FIELD', `Field '${name}' must be text`, { field: name });
    }
  }
  return { fields: result, extraFields };
}
