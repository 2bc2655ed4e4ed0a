import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DomainEvent } from '../../domain/src/events';

/** Refreshes gauges that are read from elsewhere (the database, the broker) when scraped. */
export type ScrapeRefresher = () => Promise<void>;

/**
 * The app's Prometheus metrics, in one registry served at GET /metrics. Counters count what this
 * process did; summed over every replica they count what the system did.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly refreshers: ScrapeRefresher[] = [];

  readonly eventsAppended = new Counter({
    name: 'sm_events_appended_total',
    help: 'Events this process appended to the log, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly messagesScheduled = new Counter({
    name: 'sm_messages_scheduled_total',
    help: 'Messages scheduled (MessageScheduled appended)',
    registers: [this.registry],
  });
  readonly messagesDue = new Counter({
    name: 'sm_messages_due_total',
    help: 'Messages marked due (MessageDue appended)',
    registers: [this.registry],
  });
  readonly messagesSent = new Counter({
    name: 'sm_messages_sent_total',
    help: 'Messages with an outcome for every recipient (MessageSent appended)',
    registers: [this.registry],
  });
  readonly recipientsDelivered = new Counter({
    name: 'sm_recipients_delivered_total',
    help: 'Recipients that received every part of a message',
    registers: [this.registry],
  });
  readonly recipientsFailed = new Counter({
    name: 'sm_recipients_failed_total',
    help: 'Recipients that will not receive a message, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly deliveryLateness = new Histogram({
    name: 'sm_delivery_lateness_seconds',
    help: "From a message's scheduled time to Telegram accepting a recipient's first part",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly telegramCalls = new Counter({
    name: 'sm_telegram_calls_total',
    help: 'Bot API calls, by method and outcome (ok, or the kind of failure)',
    labelNames: ['method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly floodWaitSeconds = new Counter({
    name: 'sm_telegram_flood_wait_seconds_total',
    help: "Seconds every send was paused for Telegram's 429 retry_after",
    registers: [this.registry],
  });
  readonly outboxLag = new Gauge({
    name: 'sm_outbox_lag_positions',
    help: 'Log positions between the newest event and the last one published to RabbitMQ',
    registers: [this.registry],
  });
  readonly projectionLag = new Gauge({
    name: 'sm_projection_lag_positions',
    help: "Log positions between the newest event and a projection's checkpoint",
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly deadLetters = new Gauge({
    name: 'sm_dead_letters',
    help: 'MessageDue events waiting in the dead-letter queue',
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: 'sm_dead_lettered_total',
    help: 'MessageDue events this process gave up on, sent to the dead-letter queue',
    registers: [this.registry],
  });

  readonly occurrencesMissed = new Counter({
    name: 'sm_series_occurrences_missed_total',
    help: 'Series occurrences that passed while nothing could plan them, past the grace period',
    registers: [this.registry],
  });

  constructor(app: string) {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts what a committed append recorded. */
  recordAppended(events: readonly DomainEvent[]): void {
    for (const event of events) {
      this.eventsAppended.inc({ type: event.type });
      switch (event.type) {
        case 'MessageScheduled':
          this.messagesScheduled.inc();
          break;
        case 'MessageDue':
          this.messagesDue.inc();
          break;
        case 'MessageSent':
          this.messagesSent.inc();
          break;
        case 'RecipientDelivered':
          this.recipientsDelivered.inc();
          break;
        case 'RecipientDeliveryFailed':
          this.recipientsFailed.inc({ reason: event.data.code });
          break;
        case 'MessageCancelled':
        case 'MessageRescheduled':
        case 'RecipientPartSent':
        case 'AudienceResolved':
        case 'AudiencePartSent':
        case 'AudienceRevisionDue':
        case 'MessageEdited':
        case 'RecipientEdited':
        case 'RecipientEditFailed':
        case 'MessageRecalled':
        case 'RecipientRecalled':
        case 'RecipientRecallFailed':
        case 'UserSubscribed':
        case 'UserUnsubscribed':
        case 'UserChatMigrated':
        case 'SubscriberTimeZoneSet':
        case 'SubscriberProfileChanged':
        case 'SubscriberJoinedTopic':
        case 'SubscriberLeftTopic':
        case 'TopicCreated':
        case 'TopicRenamed':
        case 'TopicDeleted':
          break;
        case 'OccurrencesMissed':
          this.occurrencesMissed.inc(event.data.count);
          break;
        case 'MessageMissed':
          this.occurrencesMissed.inc();
          break;
        case 'SeriesCreated':
        case 'SeriesChanged':
        case 'SeriesPaused':
        case 'SeriesResumed':
        case 'SeriesEnded':
        case 'OccurrencePlanned':
        case 'OccurrenceSkipped':
        case 'OccurrenceMoved':
        case 'OccurrenceEdited':
          break;
      }
    }
  }

  /** Runs `refresh` before every scrape. */
  onScrape(refresh: ScrapeRefresher): void {
    this.refreshers.push(refresh);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; a refresher that fails leaves its gauges at their last value. */
  async render(): Promise<string> {
    await Promise.allSettled(this.refreshers.map((refresh) => refresh()));
    return this.registry.metrics();
  }
}
