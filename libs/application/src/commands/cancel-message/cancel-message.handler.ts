import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '../../../../event-store/src/event-store';
import { changeMessage } from '../../message-change';
import { CancelMessageCommand } from './cancel-message.command';

@CommandHandler(CancelMessageCommand)
export class CancelMessageHandler implements ICommandHandler<CancelMessageCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: CancelMessageCommand): Promise<void> {
    await changeMessage(
      this.events,
      { type: 'CancelMessage', messageId: command.messageId },
      command.context,
    );
  }
}
