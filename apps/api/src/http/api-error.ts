import { type ErrorCode, statusOf } from './error-catalogue';

/** An error of the HTTP layer (not the domain's) that a client caused, with its stable code. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = statusOf(code);
  }
}
