import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../../../libs/domain/src/errors';
import { StreamVersionConflictError } from '../../../../libs/event-store/src/event-store';
import { ApiError } from './api-error';
import { type ErrorCode, STATUS_TITLES, statusOf } from './error-catalogue';
import { correlationIdOf } from './request-context';

interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  details?: Readonly<Record<string, unknown>>;
}

/**
 * Every error leaves as application/problem+json (RFC 9457) with a stable `code`; `detail`
 * carries the message, as the seed's `detail` did. A 500 shows nothing of the cause, only the
 * correlation id under which the cause is logged.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    // The bot's handlers answer their own errors; leave those to telegraf's error handler.
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const correlationId = correlationIdOf(request);
    const problem = toProblem(exception);
    if (problem.status >= 500) {
      this.logger.error(
        `${request.method} ${request.path} failed [correlation ${correlationId}]: ${
          exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)
        }`,
      );
    }
    if (response.headersSent) return;
    response
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: problem.title,
        status: problem.status,
        code: problem.code,
        detail: problem.detail,
        ...(problem.details && Object.keys(problem.details).length > 0
          ? { details: problem.details }
          : {}),
        correlation_id: correlationId,
      });
  }
}

function problem(
  code: ErrorCode,
  detail: string,
  details?: Readonly<Record<string, unknown>>,
): Problem {
  const status = statusOf(code);
  return { status, code, title: STATUS_TITLES[status] ?? 'Error', detail, details };
}

function toProblem(exception: unknown): Problem {
  if (exception instanceof DomainError) {
    return problem(exception.code, exception.message, exception.details);
  }
  if (exception instanceof ApiError) {
    return problem(exception.code, exception.message, exception.details);
  }
  if (exception instanceof StreamVersionConflictError) {
    return problem(
      'CONCURRENT_UPDATE',
      'Another request changed this resource at the same time; try again',
    );
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500) return problem('INTERNAL_ERROR', 'The server failed to handle the request');
    const body = exception.getResponse();
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? ([] as unknown[]).concat(body.message).map(String).join('; ')
        : exception.message;
    if (status === 404) return problem('NOT_FOUND', message);
    // Another refusal of the framework's own (a method it does not route, say): its status kept.
    return { ...problem('BAD_REQUEST', message), status, title: STATUS_TITLES[status] ?? 'Error' };
  }
  return problem('INTERNAL_ERROR', 'The server failed to handle the request');
}
