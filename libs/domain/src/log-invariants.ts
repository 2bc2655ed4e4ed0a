import {
  aggregateOf,
  type DomainEvent,
  messagePartStreamId,
  messageStreamId,
  type ScheduledMessageEvent,
  type SeriesEvent,
  seriesStreamId,
  type TopicEvent,
  topicStreamId,
  type SubscriberEvent,
  subscriberStreamId,
} from './events';

/** An event as the verifier reads it from the log. */
export type LoggedEvent = DomainEvent & {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly position: number;
};

export type InvariantRule =
  | 'stream_versions_contiguous'
  | 'event_in_its_stream'
  | 'stream_starts_with_creation'
  | 'due_after_scheduled'
  | 'change_before_due'
  | 'delivery_after_due'
  | 'recipient_of_message'
  | 'one_outcome_per_recipient'
  | 'sent_after_every_outcome'
  | 'nothing_after_end'
  | 'edit_before_due_or_after_sent'
  | 'subscription_transition';

export interface Violation {
  readonly position: number;
  readonly streamId: string;
  readonly type: string;
  readonly rule: InvariantRule;
  readonly message: string;
}

type MessageLife = {
  status: 'scheduled' | 'due' | 'sent' | 'cancelled' | 'missed';
  recipients: Set<string>;
  outcomes: Set<string>;
  /** For an audience: the part each recipient was resolved in (its outcomes are in that part's stream). */
  partOf: Map<string, number>;
  partsSent: Set<number>;
};

/**
 * Checks the log's invariants as it is read, event by event in log order: versions contiguous per
 * stream; each event in the stream of its subject; a message scheduled, then due, then
 * delivered, then sent only once every recipient has an outcome, and nothing after it is sent or
 * cancelled; subscriptions that only move between subscribed and unsubscribed. Keeps one small
 * state per stream, so a log of millions is checked in one pass.
 */
export class LogVerifier {
  private readonly versions = new Map<string, number>();
  private readonly messages = new Map<string, MessageLife>();
  private readonly subscribers = new Map<string, 'active' | 'unsubscribed'>();
  private readonly series = new Map<string, 'open' | 'ended'>();
  private readonly topics = new Map<string, 'open' | 'ended'>();
  readonly violations: Violation[] = [];
  checked = 0;

  check(event: LoggedEvent): void {
    this.checked++;
    const previous = this.versions.get(event.streamId) ?? 0;
    if (event.streamVersion !== previous + 1) {
      this.report(
        event,
        'stream_versions_contiguous',
        `version ${event.streamVersion} follows version ${previous}`,
      );
    }
    this.versions.set(event.streamId, Math.max(previous, event.streamVersion));
    switch (aggregateOf(event)) {
      case 'subscriber':
        return this.checkSubscriber(event as SubscriberEvent & LoggedEvent);
      case 'message':
        return this.checkMessage(event as ScheduledMessageEvent & LoggedEvent);
      case 'series':
        return this.checkSeries(event as SeriesEvent & LoggedEvent);
      case 'topic':
        return this.checkTopic(event as TopicEvent & LoggedEvent);
    }
  }

  private checkTopic(event: TopicEvent & LoggedEvent): void {
    const { topicId } = event.data;
    if (event.streamId !== topicStreamId(topicId)) {
      this.report(event, 'event_in_its_stream', `is about topic ${topicId}`);
    }
    const status = this.topics.get(topicId);
    if (event.type === 'TopicCreated') {
      if (status) this.report(event, 'stream_starts_with_creation', 'created twice');
      this.topics.set(topicId, 'open');
      return;
    }
    if (!status) this.report(event, 'stream_starts_with_creation', 'before TopicCreated');
    else if (status === 'ended')
      this.report(event, 'nothing_after_end', 'after the topic was deleted');
    if (event.type === 'TopicDeleted') this.topics.set(topicId, 'ended');
  }

  private checkSeries(event: SeriesEvent & LoggedEvent): void {
    const { seriesId } = event.data;
    if (event.streamId !== seriesStreamId(seriesId)) {
      this.report(event, 'event_in_its_stream', `is about series ${seriesId}`);
    }
    const status = this.series.get(seriesId);
    if (event.type === 'SeriesCreated') {
      if (status) this.report(event, 'stream_starts_with_creation', 'created twice');
      this.series.set(seriesId, 'open');
      return;
    }
    if (!status) this.report(event, 'stream_starts_with_creation', 'before SeriesCreated');
    else if (status === 'ended') this.report(event, 'nothing_after_end', 'after the series ended');
    if (event.type === 'SeriesEnded') this.series.set(seriesId, 'ended');
  }

  private report(event: LoggedEvent, rule: InvariantRule, message: string): void {
    this.violations.push({
      position: event.position,
      streamId: event.streamId,
      type: event.type,
      rule,
      message,
    });
  }

  private checkSubscriber(event: SubscriberEvent & LoggedEvent): void {
    const { userId } = event.data;
    if (event.streamId !== subscriberStreamId(userId)) {
      this.report(event, 'event_in_its_stream', `is about subscriber ${userId}`);
    }
    const status = this.subscribers.get(userId);
    switch (event.type) {
      case 'UserSubscribed':
        if (status === 'active')
          this.report(event, 'subscription_transition', 'subscribed while subscribed');
        this.subscribers.set(userId, 'active');
        return;
      case 'UserUnsubscribed':
        if (status !== 'active')
          this.report(
            event,
            'subscription_transition',
            status === undefined ? 'before any subscription' : 'while not subscribed',
          );
        this.subscribers.set(userId, 'unsubscribed');
        return;
      case 'UserChatMigrated':
      case 'SubscriberTimeZoneSet':
      case 'SubscriberProfileChanged':
      case 'SubscriberJoinedTopic':
      case 'SubscriberLeftTopic':
        if (status === undefined)
          this.report(event, 'stream_starts_with_creation', 'before any subscription');
        return;
    }
  }

  private checkMessage(event: ScheduledMessageEvent & LoggedEvent): void {
    const { messageId } = event.data;
    const life = this.messages.get(messageId);
    const streamId = messageEventStreamId(event, life);
    if (event.streamId !== streamId) {
      this.report(event, 'event_in_its_stream', `belongs in ${streamId}`);
    }
    if (event.type === 'MessageScheduled') {
      if (life) this.report(event, 'stream_starts_with_creation', 'scheduled twice');
      else
        this.messages.set(messageId, {
          status: 'scheduled',
          recipients: new Set(event.data.recipients),
          outcomes: new Set(),
          partOf: new Map(),
          partsSent: new Set(),
        });
      return;
    }
    if (!life) {
      this.report(event, 'stream_starts_with_creation', 'before MessageScheduled');
      return;
    }
    // Once sent, a message changes only in the chats that got it: edits and recalls.
    const revision =
      event.type === 'MessageEdited' ||
      event.type === 'AudienceRevisionDue' ||
      event.type === 'RecipientEdited' ||
      event.type === 'RecipientEditFailed' ||
      event.type === 'MessageRecalled' ||
      event.type === 'RecipientRecalled' ||
      event.type === 'RecipientRecallFailed';
    if (
      life.status === 'cancelled' ||
      life.status === 'missed' ||
      (life.status === 'sent' && !revision)
    ) {
      this.report(event, 'nothing_after_end', `after the message was ${life.status}`);
      return;
    }
    switch (event.type) {
      case 'AudienceRevisionDue':
        if (life.status !== 'sent')
          this.report(
            event,
            'edit_before_due_or_after_sent',
            `a revision handed to part ${event.data.part} while ${life.status}`,
          );
        return;
      case 'MessageEdited':
        if (event.data.inChats ? life.status !== 'sent' : life.status !== 'scheduled')
          this.report(
            event,
            'edit_before_due_or_after_sent',
            `an edit ${event.data.inChats ? 'of the chats' : 'of the text to send'} while ${life.status}`,
          );
        return;
      case 'RecipientEdited':
      case 'RecipientEditFailed':
      case 'MessageRecalled':
      case 'RecipientRecalled':
      case 'RecipientRecallFailed':
        if (life.status !== 'sent')
          this.report(event, 'edit_before_due_or_after_sent', `while ${life.status}`);
        if (event.type !== 'MessageRecalled' && !life.recipients.has(event.data.userId))
          this.report(event, 'recipient_of_message', `${event.data.userId} is not a recipient`);
        return;
      case 'MessageCancelled':
      case 'MessageRescheduled':
        if (life.status !== 'scheduled')
          this.report(event, 'change_before_due', 'after the message was due');
        if (event.type === 'MessageCancelled') life.status = 'cancelled';
        return;
      case 'MessageDue':
        if (life.status !== 'scheduled') this.report(event, 'due_after_scheduled', 'due twice');
        life.status = 'due';
        return;
      case 'MessageMissed':
        if (life.status !== 'scheduled')
          this.report(event, 'due_after_scheduled', 'missed once due');
        life.status = 'missed';
        return;
      case 'RecipientPartSent':
      case 'RecipientDelivered':
      case 'RecipientDeliveryFailed': {
        if (life.status !== 'due')
          this.report(event, 'delivery_after_due', 'before the message was due');
        const { userId } = event.data;
        if (!life.recipients.has(userId)) {
          this.report(event, 'recipient_of_message', `${userId} is not a recipient`);
          return;
        }
        if (life.outcomes.has(userId)) {
          this.report(event, 'one_outcome_per_recipient', `${userId} already has an outcome`);
          return;
        }
        if (event.type !== 'RecipientPartSent') life.outcomes.add(userId);
        return;
      }
      case 'AudienceResolved':
        if (life.status !== 'due')
          this.report(event, 'delivery_after_due', 'audience resolved before the message was due');
        for (const userId of event.data.recipients) {
          life.recipients.add(userId);
          life.partOf.set(userId, event.data.part);
        }
        return;
      case 'AudiencePartSent': {
        if (life.status !== 'due')
          this.report(event, 'delivery_after_due', 'part sent before the message was due');
        if (life.partsSent.has(event.data.part))
          this.report(event, 'one_outcome_per_recipient', `part ${event.data.part} sent twice`);
        life.partsSent.add(event.data.part);
        const missing = [...life.partOf]
          .filter(([userId, part]) => part === event.data.part && !life.outcomes.has(userId))
          .map(([userId]) => userId);
        if (missing.length > 0)
          this.report(
            event,
            'sent_after_every_outcome',
            `no outcome yet for ${missing.length} recipient(s) of the part: ${missing.join(', ')}`,
          );
        return;
      }
      case 'MessageSent': {
        if (life.status !== 'due')
          this.report(event, 'delivery_after_due', 'sent before it was due');
        const missing = [...life.recipients].filter((userId) => !life.outcomes.has(userId));
        if (missing.length > 0)
          this.report(
            event,
            'sent_after_every_outcome',
            `no outcome yet for ${missing.length} recipient(s): ${missing.join(', ')}`,
          );
        life.status = 'sent';
        return;
      }
    }
  }
}

/**
 * Where a message event belongs: its message's stream, but for a recipient of an audience its
 * progress and outcome in the stream of the part the recipient was resolved in, and a part's
 * completion in that part's stream; likewise a recipient's edits and recalls. The message's own
 * edits and recall are in its own stream.
 */
function messageEventStreamId(event: ScheduledMessageEvent, life: MessageLife | undefined): string {
  const { messageId } = event.data;
  switch (event.type) {
    case 'AudiencePartSent':
      return messagePartStreamId(messageId, event.data.part);
    case 'RecipientPartSent':
    case 'RecipientDelivered':
    case 'RecipientDeliveryFailed':
    case 'RecipientEdited':
    case 'RecipientEditFailed':
    case 'RecipientRecalled':
    case 'RecipientRecallFailed': {
      // A recipient's sends, outcome, edits and recalls: in its part's stream, for an audience.
      const part = life?.partOf.get(event.data.userId);
      return part === undefined ? messageStreamId(messageId) : messagePartStreamId(messageId, part);
    }
    case 'MessageScheduled':
    case 'MessageCancelled':
    case 'MessageRescheduled':
    case 'MessageDue':
    case 'MessageMissed':
    case 'MessageSent':
    case 'AudienceResolved':
    case 'AudienceRevisionDue':
    case 'MessageEdited':
    case 'MessageRecalled':
      return messageStreamId(messageId);
  }
}
