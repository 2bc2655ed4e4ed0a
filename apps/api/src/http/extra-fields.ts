import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, getSchemaPath } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { ApiError } from './api-error';
import type { ErrorCode } from './error-catalogue';

/**
 * Fields a client sent that the route does not take. The seed ignored them (FastAPI and Pydantic
 * drop what a model does not declare), and clients written against it send some (`from_sender`,
 * `username`): they are accepted, change nothing, and are kept in the events' metadata for the
 * audit trail. Bounded, so that accepting them opens no hole.
 */
export const EXTRA_FIELD_LIMITS = {
  /** Extra fields per request (a field given twice counts twice). */
  count: 32,
  /** Characters in an extra field's name. */
  nameLength: 64,
  /** Bytes in an extra field's value: UTF-8 for text, its JSON for anything else. */
  valueBytes: 1024,
} as const;

export type ExtraFields = Readonly<Record<string, unknown>>;

/** What the OpenAPI document says of the fields a route does not take. */
export const EXTRA_FIELDS_DESCRIPTION = `Other fields are accepted and ignored, as the seed did, and kept in the event metadata (extraFields): at most ${EXTRA_FIELD_LIMITS.count}, each name up to ${EXTRA_FIELD_LIMITS.nameLength} characters and each value up to ${EXTRA_FIELD_LIMITS.valueBytes} bytes.`;

/** A JSON body of the DTO's fields, documented as tolerating others. */
export function ApiTolerantJsonBody(dto: new (...args: never[]) => object) {
  return applyDecorators(
    ApiExtraModels(dto),
    ApiBody({
      schema: {
        allOf: [{ $ref: getSchemaPath(dto) }],
        additionalProperties: { description: EXTRA_FIELDS_DESCRIPTION },
      },
    }),
  );
}

/** Every code this check answers with, for the routes' documentation. */
export const EXTRA_FIELD_PROBLEMS = [
  'TOO_MANY_EXTRA_FIELDS',
  'EXTRA_FIELD_NAME_TOO_LONG',
  'EXTRA_FIELD_TOO_LONG',
] as const satisfies readonly ErrorCode[];

/** Every code a route taking a JSON body answers for the body itself, for its documentation. */
export const JSON_BODY_PROBLEMS = [
  'INVALID_REQUEST',
  'MALFORMED_JSON',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  ...EXTRA_FIELD_PROBLEMS,
] as const satisfies readonly ErrorCode[];

/**
 * The fields of `sent` that `isKnown` does not claim, checked against the limits; undefined when
 * there are none.
 */
export function extraFieldsOf(
  sent: unknown,
  isKnown: (name: string) => boolean,
): ExtraFields | undefined {
  if (sent === null || typeof sent !== 'object' || Array.isArray(sent)) return undefined;
  const extra = Object.entries(sent as Record<string, unknown>).filter(([name]) => !isKnown(name));
  if (extra.length === 0) return undefined;
  const occurrences = extra.reduce(
    (count, [, value]) => count + (Array.isArray(value) ? value.length : 1),
    0,
  );
  if (occurrences > EXTRA_FIELD_LIMITS.count) {
    const names = extra.map(([name]) => shortened(name));
    throw new ApiError(
      'TOO_MANY_EXTRA_FIELDS',
      `At most ${EXTRA_FIELD_LIMITS.count} fields this route does not take; got ${occurrences}`,
      { max: EXTRA_FIELD_LIMITS.count, fields: names },
    );
  }
  for (const [name, value] of extra) {
    if ([...name].length > EXTRA_FIELD_LIMITS.nameLength) {
      throw new ApiError(
        'EXTRA_FIELD_NAME_TOO_LONG',
        `Field name '${shortened(name)}…' is longer than ${EXTRA_FIELD_LIMITS.nameLength} characters`,
        { field: shortened(name), max: EXTRA_FIELD_LIMITS.nameLength },
      );
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      if (byteSize(one) > EXTRA_FIELD_LIMITS.valueBytes) {
        throw new ApiError(
          'EXTRA_FIELD_TOO_LONG',
          `Field '${name}' is not one this route takes, and its value is over ${EXTRA_FIELD_LIMITS.valueBytes} bytes`,
          { field: name, max: EXTRA_FIELD_LIMITS.valueBytes },
        );
      }
    }
  }
  return Object.fromEntries(extra);
}

/**
 * The fields of a JSON body that its DTO does not declare: those the validation pipe's whitelist
 * drops, found from the same class-validator decorators.
 */
export function extraJsonFieldsOf(
  body: unknown,
  dto: new (...args: never[]) => object,
): ExtraFields | undefined {
  const known = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(dto, '', true, false)
      .map((rule) => rule.propertyName),
  );
  return extraFieldsOf(body, (name) => known.has(name));
}

const shortened = (name: string) => [...name].slice(0, EXTRA_FIELD_LIMITS.nameLength).join('');

function byteSize(value: unknown): number {
  return Buffer.byteLength(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
}
