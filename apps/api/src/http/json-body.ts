import { type ErrorRequestHandler, json, type RequestHandler } from 'express';
import { ApiError } from './api-error';

const JSON_BODY_LIMIT = '64kb';

/** Parses JSON bodies, turning the parser's failures into errors with stable codes. */
export function jsonBodyParser(): [RequestHandler, ErrorRequestHandler] {
  const toApiError: ErrorRequestHandler = (error: { type?: string }, _request, _response, next) => {
    if (error.type === 'entity.parse.failed') {
      return next(new ApiError('MALFORMED_JSON', 'The request body is not valid JSON'));
    }
    if (error.type === 'entity.too.large') {
      return next(
        new ApiError('BODY_TOO_LARGE', `The request body is larger than ${JSON_BODY_LIMIT}`),
      );
    }
    next(error);
  };
  return [json({ limit: JSON_BODY_LIMIT }), toApiError];
}
