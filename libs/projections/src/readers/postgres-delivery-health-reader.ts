import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { CheckpointStore } from '../../../event-store/src/checkpoint-store';
import {
  type DeliveryHealthFigures,
  DeliveryHealthReader,
  type LatenessBucket,
} from '../../../application/src/ports/delivery-health-reader';

/**
 * Delivery's recent figures from the log: the outcomes recorded in the window, read through the
 * events' type index from the first position of the window (found by a binary search over
 * positions, whose recorded times rise with them), so that the cost is the window's, not the
 * log's.
 */
@Injectable()
export class PostgresDeliveryHealthReader extends DeliveryHealthReader {
  constructor(
    private readonly orm: MikroORM,
    /** The log followers' lag, as the lag metrics read it. */
    private readonly checkpoints: CheckpointStore,
  ) {
    super();
  }

  async figures(window: {
    readonly since: Date;
    readonly latenessBoundsSeconds: readonly number[];
  }): Promise<DeliveryHealthFigures> {
    const from = await this.firstPositionSince(window.since);
    // (recorded_at is the time its transaction began: at the window's edge the positions are
    // nearly, not strictly, in its order; the queries below filter on the time as well.)
    const [sendsByMinute, lateness, failuresByCode, followers] = await Promise.all([
      this.sendsByMinute(from, window.since),
      this.lateness(from, window.since, window.latenessBoundsSeconds),
      this.failuresByCode(from, window.since),
      this.checkpoints.lags(),
    ]);
    return { sendsByMinute, lateness, failuresByCode, followers };
  }

  /** The least position whose event, or the first after it, was recorded at or after `since`. */
  async firstPositionSince(since: Date): Promise<number> {
    const em = this.orm.em.fork();
    const [bounds] = await em.execute<{ lo: string | null; hi: string | null }[]>(
      'SELECT min(position) AS lo, max(position) AS hi FROM events',
    );
    if (!bounds || bounds.lo === null || bounds.hi === null) return 0;
    let lo = Number(bounds.lo);
    let hi = Number(bounds.hi) + 1;
    while (lo < hi) {
      const middle = Math.floor((lo + hi) / 2);
      // Compared in SQL: the driver answers a timestamptz as text.
      const [row] = await em.execute<{ position: string; before: boolean }[]>(
        `SELECT position, recorded_at < ? AS before
           FROM events WHERE position >= ? ORDER BY position LIMIT 1`,
        [since, middle],
      );
      if (row?.before) lo = Number(row.position) + 1;
      else hi = middle;
    }
    return lo;
  }

  private async sendsByMinute(from: number, since: Date) {
    const rows = await this.orm.em
      .fork()
      .execute<{ minute: Date; delivered: string; failed: string }[]>(
        `SELECT date_trunc('minute', recorded_at) AS minute,
              count(*) FILTER (WHERE type = 'RecipientDelivered') AS delivered,
              count(*) FILTER (WHERE type = 'RecipientDeliveryFailed') AS failed
         FROM events
        WHERE type IN ('RecipientDelivered', 'RecipientDeliveryFailed')
          AND position >= ? AND recorded_at >= ?
        GROUP BY 1 ORDER BY 1`,
        [from, since],
      );
    return rows.map((row) => ({
      minute: new Date(row.minute),
      delivered: Number(row.delivered),
      failed: Number(row.failed),
    }));
  }

  /** Each recipient delivered in the window: the time it was recorded, less the message's. */
  private async lateness(
    from: number,
    since: Date,
    bounds: readonly number[],
  ): Promise<LatenessBucket[]> {
    const rows = await this.orm.em.fork().execute<{ bucket: number; recipients: string }[]>(
      `SELECT width_bucket(extract(epoch FROM e.recorded_at - m.scheduled_at)::float8,
                           ?::float8[]) AS bucket,
              count(*) AS recipients
         FROM events e
         JOIN messages m ON m.id = (e.data ->> 'messageId')::uuid
        WHERE e.type = 'RecipientDelivered' AND e.position >= ? AND e.recorded_at >= ?
        GROUP BY 1`,
      [`{${bounds.join(',')}}`, from, since],
    );
    const counts = new Map(rows.map((row) => [Number(row.bucket), Number(row.recipients)]));
    // width_bucket: 0 below the first bound, i from bound i − 1 up to bound i, and so on.
    return [...bounds, null].map((upToSeconds, index) => ({
      upToSeconds,
      recipients: counts.get(index) ?? 0,
    }));
  }

  private async failuresByCode(from: number, since: Date) {
    const rows = await this.orm.em.fork().execute<{ code: string; recipients: string }[]>(
      `SELECT data ->> 'code' AS code, count(*) AS recipients
         FROM events
        WHERE type = 'RecipientDeliveryFailed' AND position >= ? AND recorded_at >= ?
        GROUP BY 1 ORDER BY 2 DESC, 1`,
      [from, since],
    );
    return rows.map((row) => ({ code: row.code, recipients: Number(row.recipients) }));
  }
}
