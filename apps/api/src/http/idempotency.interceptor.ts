import { createHash } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import { ObjectStorage } from '../../../../libs/storage/src/object-storage';
import { ApiError } from './api-error';
import { discardUploads, uploadedAttachments } from './attachment-upload.interceptor';
import { IdempotencyStore } from '../../../../libs/database/src/idempotency-store';
import { requestContextOf } from './request-context';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Objects with their keys sorted, so that the same JSON in another key order is the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** What makes two requests the same one: route, fields, and each file's name, type and bytes. */
export function requestFingerprint(request: Request): string {
  const files = uploadedAttachments(request).map((file) => [
    file.fileName,
    file.declaredContentType,
    file.size,
    file.sha256,
  ]);
  return createHash('sha256')
    .update(JSON.stringify([request.method, request.path, canonical(request.body ?? {}), files]))
    .digest('hex');
}

/**
 * `Idempotency-Key` on a POST: the first request with a key runs; the same request again gets the
 * first answer (with `Idempotent-Replayed: true`) and appends nothing; another request with the
 * same key is 422; one that comes while the first still runs is 409. Keys belong to the API key
 * that sent them and expire after IDEMPOTENCY_KEY_TTL_SECONDS. Placed after the upload, so that
 * the files are part of what makes a request the same; files of a request that does not run are
 * removed from the bucket.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly store: IdempotencyStore,
    private readonly storage: ObjectStorage,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const key = request.header('idempotency-key');
    if (key === undefined) return next.handle();
    if (!IDEMPOTENCY_KEY.test(key)) {
      await this.discardUploads(request);
      throw new ApiError(
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key must be 1 to 255 visible ASCII characters',
      );
    }
    const scope = requestContextOf(request).actor;
    const claim = await this.store.claim(scope, key, requestFingerprint(request));
    switch (claim.kind) {
      case 'replay':
        await this.discardUploads(request);
        response.status(claim.status).setHeader('Idempotent-Replayed', 'true');
        return of(claim.body);
      case 'mismatch':
        await this.discardUploads(request);
        throw new ApiError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key came with a different request; use a new key for a new request',
        );
      case 'in_flight':
        await this.discardUploads(request);
        throw new ApiError(
          'IDEMPOTENCY_KEY_IN_FLIGHT',
          'The first request with this Idempotency-Key is still being handled; retry when it has finished',
        );
      case 'claimed': {
        const status =
          this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ??
          HttpStatus.CREATED;
        return next.handle().pipe(
          mergeMap(async (body: unknown) => {
            await this.store.complete(scope, key, status, body);
            return body;
          }),
          // A failed request stored nothing: its key is freed, and a retry runs it again.
          catchError((error: unknown) =>
            from(this.store.release(scope, key).catch(() => undefined)).pipe(
              mergeMap(() => throwError(() => error)),
            ),
          ),
        );
      }
    }
  }

  private discardUploads(request: Request): Promise<void> {
    return discardUploads(this.storage, request, this.logger);
  }
}
