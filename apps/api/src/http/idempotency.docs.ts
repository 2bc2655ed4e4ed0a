import type { ApiHeaderOptions } from '@nestjs/swagger';

/** The Idempotency-Key header as the OpenAPI document shows it on every POST. */
export const IDEMPOTENCY_KEY_HEADER: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Any string of 1 to 255 visible characters, new for each request: a retry with the same key and the same request gets the first answer again (Idempotent-Replayed: true) and changes nothing; with another request, 422; while the first still runs, 409.',
  example: '8e03978e-40d5-43e8-bc93-6894a57f9324',
};
