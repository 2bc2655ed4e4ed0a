import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiConfig } from '../../../../libs/config/src/config';
import { PUBLIC_ROUTE } from '../../../../libs/observability/src/public-route';
import { ApiError } from './api-error';
import { RateLimiter } from './rate-limiter';
import { setActor } from './request-context';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Every route needs a key from API_KEYS, sent as `Authorization: Bearer <key>` or `X-API-Key`.
 * Keys are compared as digests in constant time, and every key is compared, so the time taken
 * tells nothing of which key nearly matched.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: { name: string; digest: Buffer }[];
  private readonly limiter: RateLimiter;

  constructor(
    private readonly config: ApiConfig,
    private readonly reflector: Reflector,
  ) {
    this.keys = config.apiKeys.map((key) => ({ name: key.name, digest: digest(key.key) }));
    this.limiter = new RateLimiter(config.rateLimitPerMinute);
  }

  canActivate(context: ExecutionContext): boolean {
    // Global guards run for the bot's handlers too; Telegram's updates are not API requests.
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const presented = presentedKey(request);
    if (presented === undefined) {
      throw new ApiError(
        'API_KEY_MISSING',
        'An API key is required: send Authorization: Bearer <key> or X-API-Key: <key>',
      );
    }
    const presentedDigest = digest(presented);
    let match: string | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, presentedDigest)) match ??= key.name;
    }
    if (match === undefined) throw new ApiError('API_KEY_INVALID', 'The API key is not valid');
    setActor(request, `api-key:${match}`);
    const waitSeconds = this.limiter.take(match);
    if (waitSeconds > 0) {
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(waitSeconds));
      throw new ApiError(
        'RATE_LIMITED',
        `Too many requests with this API key (at most ${this.config.rateLimitPerMinute} a minute); retry in ${waitSeconds} s`,
        { retryAfterSeconds: waitSeconds },
      );
    }
    return true;
  }
}

function presentedKey(request: Request): string | undefined {
  const authorization = request.header('authorization');
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  return bearer || request.header('x-api-key')?.trim() || undefined;
}
