import { isUuid } from '../../../../libs/application/src/uuid';
import { ApiError } from './api-error';

/** Where a page in (time, id) order starts, opaque to clients: `next_cursor`, passed back as `cursor`. */
export function encodeCursor(time: Date, id: string): string {
  return Buffer.from(`${time.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { time: Date; id: string } {
  const [text = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const time = new Date(text);
  if (Number.isNaN(time.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ApiError(
      'INVALID_CURSOR',
      'cursor is not one this API gave out: pass next_cursor unchanged',
    );
  }
  return { time, id };
}

/** A time as the read model holds it, to the microsecond, in UTC. */
const MICROSECOND_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Where a page of subscribers starts: their exact time (microseconds) and id. */
export function encodeSubscriberCursor(place: { createdAt: string; userId: string }): string {
  return Buffer.from(`${place.createdAt}|${place.userId}`).toString('base64url');
}

export function decodeSubscriberCursor(cursor: string): { createdAt: string; userId: string } {
  const [createdAt = '', userId = ''] = Buffer.from(cursor, 'base64url')
    .toString('utf8')
    .split('|');
  if (!MICROSECOND_TIME.test(createdAt) || Number.isNaN(Date.parse(createdAt)) || !isUuid(userId)) {
    throw new ApiError(
      'INVALID_CURSOR',
      'cursor is not one this API gave out: pass next_cursor unchanged',
    );
  }
  return { createdAt, userId };
}
