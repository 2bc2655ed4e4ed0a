import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { withLogContext } from '../../../../observability/src/log-context';
import { DomainError } from '../../../../domain/src/errors';
import { messageStreamId } from '../../../../domain/src/events';
import { decideScheduledMessage } from '../../../../domain/src/scheduled-message';
import { EventStore, StreamVersionConflictError } from '../../../../event-store/src/event-store';
import { Clock } from '../../../../runtime/src/clock';
import { SeriesConfig } from '../../../../config/src/config';
import { loadMessage } from '../../message-stream';
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
   * Appends MessageDue at the version read: of two schedulers racing for the same message, the
   * second's append conflicts (or, reading later, it finds the message already due) and it
   * backs off. Exactly one MessageDue per message.
   */
  async execute(command: MarkMessageDueCommand): Promise<boolean> {
    const { state, version, events } = await loadMessage(this.events, command.messageId);
    let decided;
    try {
      decided = decideScheduledMessage(
        {
          type: 'MarkMessageDue',
          messageId: command.messageId,
          now: this.clock.now(),
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
    const correlationId = scheduled?.metadata.correlationId ?? command.messageId;
    try {
      await this.events.append(messageStreamId(command.messageId), decided, {
        expectedVersion: version,
        metadata: { correlationId, causationId: scheduled?.eventId ?? null, actor: 'scheduler' },
      });
      withLogContext({ correlationId, messageId: command.messageId }, () =>
        decided[0]?.type === 'MessageMissed'
          ? this.logger.warn(
              `Message ${command.messageId}, a series occurrence for ${decided[0].data.scheduledAt}, is past the grace period: missed, not sent`,
            )
          : this.logger.log(`Message ${command.messageId} is due`),
      );
      return true;
    } catch (error) {
      if (error instanceof StreamVersionConflictError) return false;
      throw error;
    }
  }
}
