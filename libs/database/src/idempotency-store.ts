import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { ApiConfig } from '../../config/src/config';

/** What a claim of an Idempotency-Key finds. */
export type IdempotencyClaim =
  /** The key is this request's now: handle it, then complete or release. */
  | { readonly kind: 'claimed' }
  /** The same request was handled: answer as it was answered. */
  | { readonly kind: 'replay'; readonly status: number; readonly body: unknown }
  /** The same key came with another request. */
  | { readonly kind: 'mismatch' }
  /** The first request with this key is still being handled. */
  | { readonly kind: 'in_flight' };

/** How long a request may hold its key before a retry may take it over (it died, say). */
const IN_FLIGHT_LEASE_SECONDS = 300;
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Idempotency keys in Postgres, so that every API replica sees them. A key is claimed before
 * the request's work, completed with the answer after it, and released when the work failed, so
 * that a retry runs it again (a failed request stored nothing).
 */
@Injectable()
export class IdempotencyStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly config: ApiConfig,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) =>
        this.logger.warn(`Could not remove expired keys: ${String(error)}`),
      );
    }, SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const em = this.orm.em.fork();
    await em.execute(
      'DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND expires_at < now()',
      [scope, key],
    );
    const inserted = await em.execute<{ key: string }[]>(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, locked_until, expires_at)
       VALUES (?, ?, ?, 'in_flight', now() + ? * interval '1 second', now() + ? * interval '1 second')
       ON CONFLICT (scope, key) DO NOTHING
       RETURNING key`,
      [scope, key, fingerprint, IN_FLIGHT_LEASE_SECONDS, this.config.idempotencyKeyTtlSeconds],
    );
    if (inserted.length === 1) return { kind: 'claimed' };
    const [found] = await em.execute<
      {
        fingerprint: string;
        state: 'in_flight' | 'done';
        response_status: number | null;
        response_body: unknown;
        abandoned: boolean;
      }[]
    >(
      `SELECT fingerprint, state, response_status, response_body, locked_until < now() AS abandoned
         FROM idempotency_keys WHERE scope = ? AND key = ?`,
      [scope, key],
    );
    // Gone meanwhile (released after a failure, or expired): try again.
    if (!found) return this.claim(scope, key, fingerprint);
    if (found.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (found.state === 'done')
      return { kind: 'replay', status: found.response_status ?? 200, body: found.response_body };
    if (!found.abandoned) return { kind: 'in_flight' };
    const taken = await em.execute<{ key: string }[]>(
      `UPDATE idempotency_keys SET locked_until = now() + ? * interval '1 second'
        WHERE scope = ? AND key = ? AND state = 'in_flight' AND locked_until < now()
       RETURNING key`,
      [IN_FLIGHT_LEASE_SECONDS, scope, key],
    );
    return taken.length === 1 ? { kind: 'claimed' } : { kind: 'in_flight' };
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.orm.em.fork().execute(
      `UPDATE idempotency_keys SET state = 'done', response_status = ?, response_body = ?::json
          WHERE scope = ? AND key = ?`,
      [status, JSON.stringify(body ?? null), scope, key],
    );
  }

  async release(scope: string, key: string): Promise<void> {
    await this.orm.em
      .fork()
      .execute(`DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'in_flight'`, [
        scope,
        key,
      ]);
  }

  async sweep(): Promise<void> {
    await this.orm.em.fork().execute('DELETE FROM idempotency_keys WHERE expires_at < now()');
  }
}
