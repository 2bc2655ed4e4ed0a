import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import { DeliverMessageCommand } from '../../../libs/application/src/commands/deliver-message/deliver-message.command';
import { ReviseMessageCommand } from '../../../libs/application/src/commands/revise-message/revise-message.command';
import type {
  AudienceResolved,
  AudienceRevisionDue,
  MessageDue,
  MessageEdited,
  MessageRecalled,
} from '../../../libs/domain/src/events';
import type { StoredEvent } from '../../../libs/event-store/src/event-store';
import { UNREADABLE_MESSAGE } from '../../../libs/messaging/src/event-queue.server';
import { withLogContext } from '../../../libs/observability/src/log-context';
import { DeliveryQueues } from './delivery-queues';

/**
 * The delivery queue's work: a MessageDue, acked once every recipient has an outcome (for a message
 * to an audience: once the audience is resolved); an AudienceResolved, acked once every recipient of
 * that part has one. Likewise a MessageEdited or MessageRecalled, acked once every chat has an
 * outcome (for a message to an audience: once each part has its AudienceRevisionDue), and an
 * AudienceRevisionDue once every chat of that part has one.
 */
@Controller()
export class DeliveryWorkController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queue: DeliveryQueues,
  ) {}

  @EventPattern('MessageDue')
  messageDue(@Payload() event: StoredEvent<MessageDue>, @Ctx() context: RmqContext): Promise<void> {
    return this.deliver(event, context);
  }

  @EventPattern('AudienceResolved')
  audienceResolved(
    @Payload() event: StoredEvent<AudienceResolved>,
    @Ctx() context: RmqContext,
  ): Promise<void> {
    return this.deliver(event, context, event.data.part);
  }

  /** Delivers the message (or one part of its audience). */
  private deliver(
    event: StoredEvent<MessageDue | AudienceResolved>,
    context: RmqContext,
    part?: number,
  ): Promise<void> {
    return this.work(
      event,
      context,
      new DeliverMessageCommand(
        event.data.messageId,
        event.eventId,
        event.metadata.correlationId,
        part,
      ),
    );
  }

  /** A sent message's text changed, or it was recalled: its chats are edited, or its copies deleted. */
  @EventPattern('MessageEdited')
  messageEdited(
    @Payload() event: StoredEvent<MessageEdited>,
    @Ctx() context: RmqContext,
  ): Promise<void> {
    return this.revise(event, context);
  }

  @EventPattern('MessageRecalled')
  messageRecalled(
    @Payload() event: StoredEvent<MessageRecalled>,
    @Ctx() context: RmqContext,
  ): Promise<void> {
    return this.revise(event, context);
  }

  /** A broadcast's edit or recall, for the chats of one part of its audience. */
  @EventPattern('AudienceRevisionDue')
  audienceRevisionDue(
    @Payload() event: StoredEvent<AudienceRevisionDue>,
    @Ctx() context: RmqContext,
  ): Promise<void> {
    return this.revise(event, context, event.data.part);
  }

  private revise(
    event: StoredEvent<MessageEdited | MessageRecalled | AudienceRevisionDue>,
    context: RmqContext,
    part?: number,
  ): Promise<void> {
    return this.work(
      event,
      context,
      new ReviseMessageCommand(
        event.data.messageId,
        event.eventId,
        event.metadata.correlationId,
        part,
      ),
    );
  }

  /** Runs the work of one broker message in its log context, and settles it by the outcome. */
  private async work(
    event: StoredEvent<
      MessageDue | AudienceResolved | MessageEdited | MessageRecalled | AudienceRevisionDue
    >,
    context: RmqContext,
    command: DeliverMessageCommand | ReviseMessageCommand,
  ): Promise<void> {
    await this.queue.acknowledgements.settle(context, event, () =>
      withLogContext(
        { correlationId: event.metadata.correlationId, messageId: event.data.messageId },
        () => this.commands.execute(command),
      ),
    );
  }

  @EventPattern(UNREADABLE_MESSAGE)
  unreadable(@Payload() body: { reason: string }, @Ctx() context: RmqContext): void {
    this.queue.acknowledgements.deadLetter(context, body.reason);
  }
}
