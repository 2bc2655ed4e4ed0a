import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';
import { StreamVersionConflictError } from '../../../../libs/event-store/src/event-store';
import { ApiError } from './api-error';
import { correlationIdOf } from './request-context';

interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  details?: Readonly<Record<string, unknown>>;
}

const DOMAIN_STATUS: Partial<Record<DomainErrorCode, number>> = {
  [DomainErrorCode.AttachmentTooLarge]: 413,
  [DomainErrorCode.MessageAlreadyScheduled]: 409,
  [DomainErrorCode.MessageNotFound]: 404,
  [DomainErrorCode.SubscriberNotFound]: 404,
  [DomainErrorCode.MessageNotPending]: 409,
  [DomainErrorCode.UserNotSubscribed]: 409,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

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
  status: number,
  code: string,
  detail: string,
  details?: Readonly<Record<string, unknown>>,
): Problem {
  return { status, code, title: TITLES[status] ?? 'Error', detail, details };
}

function toProblem(exception: unknown): Problem {
  if (exception instanceof DomainError) {
    return problem(
      DOMAIN_STATUS[exception.code] ?? 400,
      exception.code,
      exception.message,
      exception.details,
    );
  }
  if (exception instanceof ApiError) {
    return problem(exception.status, exception.code, exception.message, exception.details);
  }
  if (exception instanceof StreamVersionConflictError) {
    return problem(
      409,
      'CONCURRENT_UPDATE',
      'Another request changed this resource at the same time; try again',
    );
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500)
      return problem(500, 'INTERNAL_ERROR', 'The server failed to handle the request');
    const body = exception.getResponse();
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? ([] as unknown[]).concat(body.message).map(String).join('; ')
        : exception.message;
    return problem(status, status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message);
  }
  return problem(500, 'INTERNAL_ERROR', 'The server failed to handle the request');
}
