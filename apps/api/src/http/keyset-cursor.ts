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
