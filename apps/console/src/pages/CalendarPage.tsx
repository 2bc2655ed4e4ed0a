import type {
  EventClickArg,
  EventDropArg,
  EventInput,
  EventSourceFuncArg,
} from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin from '@fullcalendar/interaction';
import listPlugin from '@fullcalendar/list';
import FullCalendar from '@fullcalendar/react';
import timeGridPlugin from '@fullcalendar/timegrid';
import { useCallback, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiProblem, type MessageSummary } from '../api';
import { calendarEntryOf, zoneLabel } from '../calendar-entries';
import { useConsole, useLiveRefresh } from '../console-context';

/** Messages fetched per page while filling the calendar's range. */
const PAGE = 200;
/** At most this many per range: a month of a busy system is a list, not a grid. */
const MAX_PER_RANGE = 2000;

const narrow = () => window.matchMedia('(max-width: 640px)').matches;
/** Times as the browser's locale writes them: 15:00 or 3:00 PM. */
const twelveHour = new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hour12;
const TIME_FORMAT = {
  hour: '2-digit',
  minute: '2-digit',
  hour12: twelveHour ?? false,
} as const;

/**
 * The messages on a calendar in the browser's zone (month, week, day, list); a message not yet
 * due can be dragged to another time, which reschedules it; a click opens its page.
 */
export function CalendarPage() {
  const { client } = useConsole();
  const navigate = useNavigate();
  const calendar = useRef<FullCalendar>(null);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);

  const loadRange = useCallback(
    async ({ start, end }: EventSourceFuncArg): Promise<EventInput[]> => {
      const entries: EventInput[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({
          from: start.toISOString(),
          to: end.toISOString(),
          limit: String(PAGE),
          ...(cursor ? { cursor } : {}),
        });
        const page: { items: MessageSummary[]; next_cursor: string | null } = await client.get(
          `/messages?${query.toString()}`,
        );
        entries.push(...page.items.map((message) => ({ ...calendarEntryOf(message) })));
        cursor = page.next_cursor;
      } while (cursor && entries.length < MAX_PER_RANGE);
      return entries;
    },
    [client],
  );

  useLiveRefresh(
    // A message's own stream: its parts' streams (each recipient's progress) change nothing here.
    (event) => /^message-[0-9a-f-]{36}$/.test(event.stream_id),
    () => calendar.current?.getApi().refetchEvents(),
  );

  const moved = async (drop: EventDropArg) => {
    const start = drop.event.start;
    if (!start) return drop.revert();
    try {
      await client.send('PATCH', `/messages/${drop.event.id}`, {
        scheduled_timestamp: start.toISOString(),
      });
      setNotice({
        kind: 'info',
        text: `“${drop.event.title}” moved to ${start.toLocaleString()}.`,
      });
    } catch (failure) {
      drop.revert();
      setNotice({
        kind: 'error',
        text: `Could not move “${drop.event.title}”: ${
          failure instanceof ApiProblem ? failure.problem.detail : String(failure)
        }`,
      });
    }
  };

  const opened = (click: EventClickArg) => {
    click.jsEvent.preventDefault();
    void navigate(`/messages/${click.event.id}`);
  };

  return (
    <section aria-labelledby="calendar-title">
      <div className="page-head">
        <h1 id="calendar-title">Calendar</h1>
        <p className="zone">Times in {zoneLabel()}</p>
      </div>
      {notice && (
        <p className={notice.kind === 'error' ? 'notice error' : 'notice'} role="status">
          {notice.text}
        </p>
      )}
      <FullCalendar
        ref={calendar}
        plugins={[dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin]}
        initialView={narrow() ? 'listWeek' : 'timeGridWeek'}
        headerToolbar={{
          left: 'prev,next today',
          center: 'title',
          right: 'dayGridMonth,timeGridWeek,timeGridDay,listWeek',
        }}
        buttonText={{ listWeek: 'list' }}
        // On a phone the list's day headings say the date once, short: both sides overflow.
        {...(narrow()
          ? {
              listDayFormat: { weekday: 'short', day: 'numeric', month: 'short' },
              listDaySideFormat: false,
            }
          : {})}
        timeZone="local"
        nowIndicator
        height="auto"
        slotDuration="00:30:00"
        scrollTime="08:00:00"
        eventTimeFormat={{ ...TIME_FORMAT, second: '2-digit' }}
        slotLabelFormat={TIME_FORMAT}
        events={loadRange}
        eventClick={opened}
        eventDrop={(drop) => void moved(drop)}
        dayCellDidMount={({ el }) => {
          // A day is named by its number's link (its date in full) inside the cell; the cell
          // labelled by it too would be named the date while it holds more (its events).
          el.removeAttribute('aria-labelledby');
        }}
        viewDidMount={({ el }) => {
          // The arrows are drawn by an icon font: the buttons carry their names (titles).
          for (const icon of el.ownerDocument.querySelectorAll('.fc-icon'))
            icon.setAttribute('aria-hidden', 'true');
        }}
        eventDidMount={({ el, event }) => {
          // FullCalendar makes an event focusable and opens it on Enter (eventClick); this names
          // it for a screen reader.
          el.setAttribute(
            'aria-label',
            `${event.title}, ${String(event.extendedProps['status'])}, to ${String(
              event.extendedProps['recipients'],
            )}, ${event.start?.toLocaleString() ?? ''}`,
          );
        }}
      />
      <ul className="legend" aria-label="Statuses">
        {(['scheduled', 'due', 'sent', 'cancelled', 'missed'] as const).map((status) => (
          <li key={status} className={`status-${status}`}>
            {status}
          </li>
        ))}
      </ul>
    </section>
  );
}
