import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { MessageStatus } from '../../../application/src/ports/message-reader';
import {
  type RecordedOccurrence,
  type SeriesKey,
  type SeriesPage,
  SeriesReader,
  type SeriesRecord,
} from '../../../application/src/ports/series-reader';
import { isUuid } from '../../../application/src/uuid';
import type { SeriesStatus } from '../../../domain/src/series';
import type {
  SeriesOccurrenceRow,
  SeriesOccurrenceZoneRow,
  SeriesRow,
} from '../read-models.projection';
import { DEFAULT_SEND_OPTIONS } from '../../../domain/src/events';

/** The series read model (tables `series` and `series_occurrences`, with `messages` for status). */
@Injectable()
export class PostgresSeriesReader extends SeriesReader {
  constructor(private readonly orm: MikroORM) {
    super();
  }

  async byId(seriesId: string): Promise<SeriesRecord | null> {
    if (!isUuid(seriesId)) return null;
    const [found] = await this.series('id = ?', [seriesId]);
    return found ?? null;
  }

  async page(
    status: SeriesStatus | null,
    limit: number,
    after: SeriesKey | null,
  ): Promise<SeriesPage> {
    const conditions = ['true'];
    const params: unknown[] = [];
    if (status) {
      conditions.push('status = ?');
      params.push(status);
    }
    if (after) {
      conditions.push('(created_at, id) > (?::timestamptz, ?::uuid)');
      params.push(after.createdAt.toISOString(), after.id);
    }
    const rows = await this.series(`${conditions.join(' AND ')} ORDER BY created_at, id LIMIT ?`, [
      ...params,
      limit + 1,
    ]);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
    };
  }

  async recordedBefore(
    seriesId: string,
    before: Date,
    limit: number,
  ): Promise<RecordedOccurrence[]> {
    if (!isUuid(seriesId)) return [];
    const rows = await this.occurrences(
      'o.series_id = ? AND o.occurrence_at < ? ORDER BY o.occurrence_at DESC LIMIT ?',
      [seriesId, before.toISOString(), limit],
    );
    return rows.reverse();
  }

  async recordedFrom(seriesId: string, from: Date, limit: number): Promise<RecordedOccurrence[]> {
    if (!isUuid(seriesId)) return [];
    return this.occurrences(
      'o.series_id = ? AND o.occurrence_at >= ? ORDER BY o.occurrence_at LIMIT ?',
      [seriesId, from.toISOString(), limit],
    );
  }

  async countOpen(owner: string): Promise<number> {
    const [row] = await this.orm.em
      .fork()
      .execute<{ count: string }[]>(
        "SELECT count(*) AS count FROM series WHERE owner = ? AND status <> 'ended'",
        [owner],
      );
    return Number(row?.count ?? 0);
  }

  private async series(where: string, params: unknown[]): Promise<SeriesRecord[]> {
    const rows = await this.orm.em
      .fork()
      .execute<{ row: SeriesRow }[]>(
        `SELECT to_jsonb(s) AS row FROM series s WHERE ${where}`,
        params,
      );
    return rows.map(({ row }) => seriesRecordOf(row));
  }

  private async occurrences(where: string, params: unknown[]): Promise<RecordedOccurrence[]> {
    const rows = await this.orm.em.fork().execute<
      {
        row: SeriesOccurrenceRow;
        message_status: MessageStatus | null;
        zones: { row: SeriesOccurrenceZoneRow; message_status: MessageStatus | null }[] | null;
      }[]
    >(
      `SELECT to_jsonb(o) AS row, m.status AS message_status,
              (SELECT jsonb_agg(jsonb_build_object('row', to_jsonb(z), 'message_status', zm.status)
                                ORDER BY z.scheduled_at, z.zone)
                 FROM series_occurrence_zones z LEFT JOIN messages zm ON zm.id = z.message_id
                WHERE z.series_id = o.series_id AND z.occurrence_at = o.occurrence_at) AS zones
         FROM series_occurrences o LEFT JOIN messages m ON m.id = o.message_id
        WHERE ${where}`,
      params,
    );
    return rows.map(({ row, message_status, zones }) => ({
      occurrenceAt: new Date(row.occurrence_at),
      localTime: row.local_time,
      status: row.status,
      scheduledAt: row.scheduled_at === null ? null : new Date(row.scheduled_at),
      messageId: row.message_id,
      messageStatus: message_status,
      text: row.text,
      missedCount: row.missed_count,
      missedUntil: row.missed_until === null ? null : new Date(row.missed_until),
      zones: (zones ?? []).map((zone) => ({
        zone: zone.row.zone === '' ? null : zone.row.zone,
        scheduledAt: new Date(zone.row.scheduled_at),
        messageId: zone.row.message_id,
        messageStatus: zone.message_status,
        recipients: zone.row.recipients,
      })),
    }));
  }
}

function seriesRecordOf(row: SeriesRow): SeriesRecord {
  return {
    id: row.id,
    owner: row.owner,
    status: row.status,
    endReason: row.end_reason,
    targetUserIds: row.target_user_ids,
    audience: row.audience ?? null,
    text: row.text,
    attachments: row.attachments,
    fromSender: row.from_sender,
    rrule: row.rrule,
    dtstart: row.dtstart,
    timeZone: row.time_zone,
    atRecipientLocalTime: row.at_recipient_local_time ?? false,
    sendOptions: row.send_options ?? DEFAULT_SEND_OPTIONS,
    buttons: row.buttons ?? [],
    cursor: row.cursor,
    notBefore: new Date(row.not_before),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
