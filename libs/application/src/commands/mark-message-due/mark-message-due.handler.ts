import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { withLogContext } from '../../../../observability/src/log-context';
import { DomainError } from '../../../../domain/src/errors';
import { messageStreamId } from '../../../../domain/src/events';
import { decideScheduledMessage } from '../../../../domain/src/scheduled-message';
import { EventStore, StreamVersionConflictError } from '../../../../event-store/src/event-store';
import { Clock } from '../../../../runtime/src/clock';
import { SeriesConfig } from '../../../../config/src/config';
import { type LoadedMessage, loadMessages } from '../../message-stream';
import { MarkMessageDueCommand } from './mark-message-due.command';

@CommandHandler(MarkMessageDueCommand)
export class MarkMessageDueHandler implements ICommandHandler<MarkMessageDueCommand> {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly events: EventStore,
    private readonly clock: Clock,
    private readonly series: SeriesConfig,
  ) {}

  /**
   * Reads the messages' streams together and appends each one's MessageDue at the version read,
   * the appends sharing commits: of two schedulers racing for the same message, the second's
   * append conflicts (or, reading later, it finds the message already due) and it backs off.
   * Exactly one MessageDue per message.
   */
  async execute(command: MarkMessageDueCommand): Promise<number> {
    const loaded = await loadMessages(this.events, command.messageIds);
    const now = this.clock.now();
    const outcomes = await Promise.allSettled(
      [...loaded].map(([messageId, message]) => this.mark(messageId, message, now, command.leadMs)),
    );
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value).length;
  }

  private async mark(
    messageId: string,
    message: LoadedMessage,
    now: Date,
    leadMs: number,
  ): Promise<boolean> {
    const { state, version, events } = message;
    let decided;
    try {
      decided = decideScheduledMessage(
        {
          type: 'MarkMessageDue',
          messageId,
          now,
          leadMs,
          seriesGraceMs: this.series.graceSeconds * 1000,
        },
        state,
      );
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
    const scheduled = events[0];
    // The request's correlation id goes on with the message: one id finds its whole journey.
    const correlationId = scheduled?.metadata.correlationId ?? messageId;
    try {
      await this.events.append(messageStreamId(messageId), decided, {
        expectedVersion: version,
        metadata: { correlationId, causationId: scheduled?.eventId ?? null, actor: 'scheduler' },
      });
      withLogContext({ correlationId, messageId }, () =>
        decided[0]?.type === 'MessageMissed'
          ? this.logger.warn(
              `Message ${messageId}, a series occurrence for ${decided[0].data.scheduledAt}, is past the grace period: missed, not sent`,
            )
          : this.logger.log(`Message ${messageId} is due`),
      );
      return true;
    } catch (error) {
      if (error instanceof StreamVersionConflictError) return false;
      throw error;
    }
  }
}
