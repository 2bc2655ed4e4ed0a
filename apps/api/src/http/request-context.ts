import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { RequestContext } from '../../../../libs/application/src/request-context';
import { withLogContext } from '../../../../libs/observability/src/log-context';

interface ContextualRequest extends Request {
  correlationId?: string;
  actor?: string;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes the caller's X-Correlation-Id when it is sane, otherwise makes one; echoes it back. */
export function correlationIdMiddleware(
  request: Request,
  response: Response,
  next: NextFunction,
): void {
  const given = request.header('x-correlation-id');
  const correlationId = given && CORRELATION_ID.test(given) ? given : randomUUID();
  (request as ContextualRequest).correlationId = correlationId;
  response.setHeader('X-Correlation-Id', correlationId);
  // Every log line of this request carries the id.
  withLogContext({ correlationId }, next);
}

export function correlationIdOf(request: Request): string {
  return (request as ContextualRequest).correlationId ?? 'none';
}

export function setActor(request: Request, actor: string): void {
  (request as ContextualRequest).actor = actor;
}

/** Who asked and under which correlation id; with the request's extra fields, when it had any. */
export function requestContextOf(
  request: Request,
  extraFields?: Readonly<Record<string, unknown>>,
): RequestContext {
  return {
    correlationId: correlationIdOf(request),
    actor: (request as ContextualRequest).actor ?? 'anonymous',
    ...(extraFields ? { extraFields } : {}),
  };
}
