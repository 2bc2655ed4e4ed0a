import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '../../../../event-store/src/event-store';
import { Clock } from '../../../../runtime/src/clock';
import { changeMessage } from '../../message-change';
import { RecallMessageCommand } from './recall-message.command';

@CommandHandler(RecallMessageCommand)
export class RecallMessageHandler implements ICommandHandler<RecallMessageCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Telegram's 48 hours run from each send; every send came after the message fell due, so the
   * window is counted from its MessageDue (a recall is never refused that Telegram would take).
   */
  async execute(command: RecallMessageCommand): Promise<void> {
    await changeMessage(
      this.events,
      {
        messageId: command.messageId,
        decide: (stream) => ({
          type: 'RecallMessage',
          messageId: command.messageId,
          now: this.clock.now(),
          automatic: command.automatic,
          dueAt:
            stream.find((event) => event.type === 'MessageDue')?.recordedAt ?? this.clock.now(),
        }),
      },
      command.context,
    );
  }
}
