import { Logger } from '@nestjs/common';
import { DomainError } from '../../../../domain/src/errors';
import {
  decideScheduledMessage,
  evolveScheduledMessage,
  type RecordDeliveryFailure,
  type RecordPartSent,
  type RecordPartsSent,
} from '../../../../domain/src/scheduled-message';
import {
  type EventMetadata,
  EventStore,
  StreamVersionConflictError,
} from '../../../../event-store/src/event-store';
import type { Clock } from '../../../../runtime/src/clock';
import { loadMessage, loadMessagePart, type MessageStreamCache } from '../../message-stream';
import type { KnownMessage } from './delivery-plan';
import { RECORD_BACKOFF, type RetryPolicy } from './retry-policy';

/** How long a send's record is retried while the database cannot be reached. */
export const RECORD_RETRY_FOR_MS = 90_000;
/** Appends that lost the race for the stream's version, in a row, before giving up. */
const MAX_CONFLICTS = 5;

/** An upload of an attachment: in flight until `done`; then its file_id, unless it failed. */
export interface FileUpload {
  done: boolean;
  fileId: string | undefined;
  readonly finished: Promise<void>;
}

/**
 * One delivery of a message, or of one part of its audience: the stream its outcomes go to, as
 * this process last appended it. Appends go one at a time (recipients are served concurrently),
 * so they never conflict with each other; parts have their own streams, so parts delivered at
 * once by several processes never conflict either.
 */
export class DeliveryRun {
  private appending: Promise<unknown> = Promise.resolve();
  /** Attachment part → its upload in this run, whose file_id the other recipients reuse. */
  readonly uploads = new Map<number, FileUpload>();

  constructor(
    readonly messageId: string,
    /** The message's stream, or the stream of the part of its audience delivered. */
    readonly streamId: string,
    /** The part of the audience delivered; null for the message itself. */
    readonly part: number | null,
    public state: KnownMessage,
    public version: number,
    readonly metadata: EventMetadata,
  ) {}

  serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.appending.then(work, work);
    this.appending = next.catch(() => undefined);
    return next;
  }
}

/**
 * Records each recipient's progress and outcome in the message's stream, as soon as it is known.
 * A send that reached Telegram must not lose its record (it would be sent again): a database that
 * restarts or fails over is waited out, and a stream another process moved on is read again
 * before what is still missing is appended.
 */
export class OutcomeRecorder {
  private readonly logger = new Logger('Delivery');

  constructor(
    private readonly events: EventStore,
    private readonly clock: Clock,
    private readonly retry: RetryPolicy,
    private readonly messages: MessageStreamCache,
  ) {}

  async record(
    run: DeliveryRun,
    command: RecordPartSent | RecordPartsSent | RecordDeliveryFailure,
  ): Promise<void> {
    await run.serially(async () => {
      const giveUpAt = this.clock.now().getTime() + RECORD_RETRY_FOR_MS;
      let conflicts = 0;
      await this.retry.run(
        async (attempt) => {
          // After a failure the append may have committed before its answer was lost: read first.
          if (attempt > 1) await this.reload(run);
          const decided = decideScheduledMessage(command, run.state);
          if (decided.length === 0) return;
          await this.events.append(run.streamId, decided, {
            expectedVersion: run.version,
            metadata: run.metadata,
          });
          run.state = decided.reduce(evolveScheduledMessage, run.state) as KnownMessage;
          run.version += decided.length;
        },
        RECORD_BACKOFF,
        (error) => {
          if (error instanceof StreamVersionConflictError) return ++conflicts < MAX_CONFLICTS;
          return !(error instanceof DomainError) && this.clock.now().getTime() < giveUpAt;
        },
        (error, _attempt, waitMs) =>
          this.logger.warn(
            `Recording failed, retrying in ${waitMs} ms: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    });
  }

  private async reload(run: DeliveryRun): Promise<void> {
    const { state, version } =
      run.part === null
        ? await loadMessage(this.events, run.messageId)
        : await loadMessagePart(this.messages, this.events, run.messageId, run.part);
    if (state.status === 'none') throw new Error(`Message ${run.messageId} vanished`);
    run.state = state;
    run.version = version;
  }
}
