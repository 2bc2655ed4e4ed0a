import type { MessageStatus, MessageSummary } from './api';

/** A message on the calendar, as FullCalendar takes an event. */
export interface CalendarEntry {
  readonly id: string;
  readonly title: string;
  readonly start: string;
  readonly classNames: string[];
  /** Only a message not yet due can be moved (the API refuses the others with 409). */
  readonly startEditable: boolean;
  readonly durationEditable: false;
  readonly extendedProps: { readonly status: MessageStatus; readonly recipients: string };
}

const TITLE_LENGTH = 60;

/** Who a message goes to, in a few words. */
export function audienceOf(message: MessageSummary): string {
  if (message.target_all) return 'everyone subscribed';
  if (message.target_topic && message.target_topic.length > 0)
    return `topic ${message.target_topic.join(', ')}`;
  const count = message.target_user_id.length;
  return count === 1 ? `user ${message.target_user_id[0]}` : `${count} users`;
}

export function calendarEntryOf(message: MessageSummary): CalendarEntry {
  const text = message.message.replace(/\s+/g, ' ').trim();
  // An occurrence of a recurring series says so: ↻ before its text.
  const full = `${message.series_id ? '↻ ' : ''}${text || '(no text)'}`;
  return {
    id: message.id,
    title: full.length > TITLE_LENGTH ? `${full.slice(0, TITLE_LENGTH - 1)}…` : full,
    start: message.scheduled_timestamp,
    classNames: [`status-${message.status}`, ...(message.series_id ? ['from-series'] : [])],
    startEditable: message.status === 'scheduled',
    durationEditable: false,
    extendedProps: { status: message.status, recipients: audienceOf(message) },
  };
}

/** The browser's time zone and its offset now, as the calendar says which zone it shows. */
export function zoneLabel(now: Date = new Date()): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offsetMinutes = -now.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '−';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  return `${zone} (UTC${sign}${hours}:${minutes})`;
}

/** An instant in the browser's zone, as people read it. */
export function localTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

/** The value a datetime-local input takes for an instant, in the browser's zone. */
export function toLocalInputValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
