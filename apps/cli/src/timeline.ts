import type { Audience } from '../../../libs/domain/src/events';
import type { StoredEvent } from '../../../libs/event-store/src/event-store';

const shorten = (text: string, length = 40) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

const released = (messageIds: readonly string[]) =>
  messageIds.length > 0 ? ` (cancels ${messageIds.join(', ')})` : '';

/** Who a message is for, as scheduled: user ids, topics or everyone (resolved when due). */
function audienceOf(data: {
  readonly recipients: readonly string[];
  readonly audience: Audience | null;
}): string {
  if (data.audience === null) return `to ${plural(data.recipients.length, 'recipient')}`;
  if (data.audience.kind === 'all') return 'to everyone subscribed when due';
  return `to the members of ${data.audience.topics.map((topic) => topic.name).join(', ')} when due`;
}

/** The fields of an event that matter to a person reading its history, in a few words. */
export function describeEvent(event: StoredEvent): string {
  switch (event.type) {
    case 'UserSubscribed':
      return `chat ${event.data.chatId} (${event.data.chatName}) subscribed as ${event.data.userId}`;
    case 'UserUnsubscribed':
      return `chat ${event.data.chatId} unsubscribed: ${event.data.reason}`;
    case 'UserChatMigrated':
      return `chat moved from ${event.data.fromChatId} to ${event.data.toChatId}`;
    case 'SubscriberJoinedTopic':
      return `joined topic ${event.data.topicId}`;
    case 'SubscriberLeftTopic':
      return `left topic ${event.data.topicId}`;
    case 'TopicCreated':
      return `topic ${event.data.name} created`;
    case 'TopicRenamed':
      return `renamed from ${event.data.from} to ${event.data.to}`;
    case 'TopicDeleted':
      return `topic ${event.data.name} deleted`;
    case 'SubscriberProfileChanged':
      return `names now ${[event.data.profile.firstName, event.data.profile.lastName].filter(Boolean).join(' ')}${event.data.profile.username ? ` (@${event.data.profile.username})` : ''}`;
    case 'SubscriberTimeZoneSet':
      return event.data.timeZone ? `time zone set to ${event.data.timeZone}` : 'time zone cleared';
    case 'MessageScheduled': {
      const files = event.data.attachments.map((file) => file.fileName);
      return [
        `for ${event.data.scheduledAt}`,
        audienceOf(event.data),
        files.length > 0 ? `${plural(files.length, 'file')} (${files.join(', ')})` : 'no files',
        JSON.stringify(shorten(event.data.text)),
      ].join(', ');
    }
    case 'MessageCancelled':
      return 'cancelled before it was due';
    case 'MessageRescheduled':
      return `moved from ${event.data.previousScheduledAt} to ${event.data.scheduledAt}`;
    case 'MessageDue':
      return `due (scheduled for ${event.data.scheduledAt})`;
    case 'MessageMissed':
      return `missed: scheduled for ${event.data.scheduledAt}, found at ${event.data.foundAt}, past the grace period`;
    case 'RecipientPartSent':
      return `${event.data.part === 0 ? 'text' : `file ${event.data.part}`} to ${event.data.userId} in chat ${event.data.chatId} (Telegram message ${event.data.telegramMessageId})`;
    case 'RecipientDelivered':
      return `${event.data.userId} got everything in chat ${event.data.chatId}`;
    case 'RecipientDeliveryFailed':
      return `${event.data.userId} will not get it: ${event.data.code} (${shorten(event.data.reason, 60)})`;
    case 'MessageSent':
      return `done: ${event.data.delivered} delivered, ${event.data.failed} failed`;
    case 'AudienceResolved':
      return event.data.recipients.length === 0
        ? 'audience resolved: nobody'
        : `audience resolved: ${plural(event.data.recipients.length, 'recipient')}${
            event.data.parts > 1 ? ` (part ${event.data.part} of ${event.data.parts})` : ''
          }`;
    case 'AudiencePartSent':
      return `part ${event.data.part} of ${event.data.parts} done: ${event.data.delivered} delivered, ${event.data.failed} failed`;
    case 'AudienceRevisionDue':
      return `${event.data.recall ? 'recall' : `edit ${event.data.edit}`} handed to part ${event.data.part} of ${event.data.parts}`;
    case 'MessageEdited':
      return `${event.data.inChats ? `edit ${event.data.edit} of every chat that got it` : 'text changed before it was due'}: ${JSON.stringify(shorten(event.data.text))}`;
    case 'RecipientEdited':
      return `edit ${event.data.edit} shown to ${event.data.userId} in chat ${event.data.chatId}`;
    case 'RecipientEditFailed':
      return `edit ${event.data.edit} failed for ${event.data.userId}: ${event.data.code} (${shorten(event.data.reason, 60)})`;
    case 'MessageRecalled':
      return `${event.data.automatic ? 'recalled by its delete_after' : 'recalled'} from every chat (Telegram allows it until ${event.data.deadline})`;
    case 'RecipientRecalled':
      return `deleted from chat ${event.data.chatId} of ${event.data.userId}`;
    case 'RecipientRecallFailed':
      return `could not be deleted for ${event.data.userId}: ${event.data.code} (${shorten(event.data.reason, 60)})`;
    case 'SeriesCreated':
    case 'SeriesChanged':
      return [
        `${event.data.rule.rrule} from ${event.data.rule.dtstart} (${event.data.rule.timeZone})`,
        `to ${plural(event.data.recipients.length, 'recipient')}`,
        JSON.stringify(shorten(event.data.text)),
      ].join(', ');
    case 'SeriesPaused':
      return `paused${released(event.data.released)}`;
    case 'SeriesResumed':
      return `resumed at ${event.data.resumedAt}`;
    case 'SeriesEnded':
      return `ended: ${event.data.reason}${released(event.data.released)}`;
    case 'OccurrencePlanned':
      return `occurrence ${event.data.occurrence.at} (${event.data.occurrence.local} local) as message ${event.data.messageId}, for ${event.data.scheduledAt}${event.data.zone ? ` in ${event.data.zone} to ${plural(event.data.recipients?.length ?? 0, 'recipient')}` : ''}`;
    case 'OccurrenceSkipped':
      return `occurrence ${event.data.occurrenceAt} skipped${released(event.data.released)}`;
    case 'OccurrenceMoved':
      return `occurrence ${event.data.occurrenceAt} moved to ${event.data.scheduledAt}${released(event.data.released)}`;
    case 'OccurrenceEdited':
      return `occurrence ${event.data.occurrenceAt} gets its own text ${JSON.stringify(shorten(event.data.text))}`;
    case 'OccurrencesMissed':
      return `${plural(event.data.count, 'occurrence')} missed, ${event.data.first} to ${event.data.last}`;
  }
}

/** One line per event: time, position, event, actor, what happened. */
export function timelineLine(event: StoredEvent): string {
  return [
    event.recordedAt.toISOString(),
    `#${event.position}`.padStart(8),
    event.type.padEnd(23),
    event.metadata.actor.padEnd(20),
    describeEvent(event),
  ].join('  ');
}
