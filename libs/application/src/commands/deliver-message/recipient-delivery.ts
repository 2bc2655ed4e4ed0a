import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import type { DeliveryConfig } from '../../../../config/src/config';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import type { Metrics } from '../../../../observability/src/metrics';
import type { SendUnit } from '../../../../domain/src/media';
import type { Clock } from '../../../../runtime/src/clock';
import { TelegramSendError } from '../../ports/telegram-sender';
import { MigrateChatCommand } from '../migrate-chat/migrate-chat.command';
import { UnsubscribeUserCommand } from '../unsubscribe-user/unsubscribe-user.command';
import { PermanentFailure, permanentFailureOf, type RecipientPlan } from './delivery-plan';
import type { DeliveryRun, OutcomeRecorder } from './outcome-recorder';
import type { PartSender, SentPart } from './part-sender';
import { type RetryPolicy, SEND_BACKOFF, transientUpTo } from './retry-policy';

/** Shutdown began: no new send starts; the MessageDue goes back to the queue, to resume elsewhere. */
export class ShuttingDownError extends Error {
  constructor() {
    super('Shutting down: the rest of this message is left to the next delivery process');
    this.name = 'ShuttingDownError';
  }
}

/**
 * One recipient's delivery: each part sent (transient failures retried with backoff, a group that
 * became a supergroup followed) and recorded as soon as Telegram accepted it; a permanent failure
 * recorded with its reason, and a user who blocked the bot unsubscribed.
 */
export class RecipientDelivery {
  private readonly logger = new Logger('Delivery');

  constructor(
    private readonly parts: PartSender,
    private readonly recorder: OutcomeRecorder,
    private readonly retry: RetryPolicy,
    private readonly commands: CommandBus,
    private readonly config: DeliveryConfig,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    /** True once shutdown began, or this process lost its lease on the run's work. */
    private readonly stopping: (run: DeliveryRun) => boolean,
  ) {}

  /** Sends the recipient what is left, then records the outcome; a refusal fails it for good. */
  async serve(run: DeliveryRun, plan: RecipientPlan): Promise<void> {
    const { userId } = plan;
    try {
      if (plan.kind === 'fail') throw plan.failure;
      let chatId = plan.chatId;
      for (const unit of plan.units) {
        if (this.stopping(run)) throw new ShuttingDownError();
        const sent = await this.retry.run(
          () => this.sendFollowingTheChat(run, userId, unit, chatId, plan.text),
          SEND_BACKOFF,
          transientUpTo(this.config.maxSendAttempts),
          (error, attempt, waitMs) =>
            this.logger.warn(
              `Send failed (${String(error)}); attempt ${attempt + 1} in ${Math.round(waitMs)} ms`,
            ),
        );
        chatId = sent.chatId;
        const [single] = sent.parts;
        const recipient = { messageId: run.messageId, userId, chatId };
        await this.recorder.record(
          run,
          sent.parts.length === 1 && single
            ? { type: 'RecordPartSent', ...recipient, ...single }
            : { type: 'RecordPartsSent', ...recipient, parts: sent.parts },
        );
        // The text's acceptance is what lateness measures, as it was before albums.
        if (unit.parts.includes(0)) {
          const lateMs = this.clock.now().getTime() - Date.parse(run.state.scheduledAt);
          this.metrics.deliveryLateness.observe(lateMs / 1000);
        }
      }
    } catch (error) {
      const failure = permanentFailureOf(error, this.config.maxSendAttempts);
      if (failure.code === 'blocked' && plan.kind === 'send')
        await this.unsubscribeBlocked(run, plan.chatId);
      await this.recorder.record(run, {
        type: 'RecordDeliveryFailure',
        messageId: run.messageId,
        userId,
        code: failure.code,
        reason: failure.reason,
      });
    }
  }

  /**
   * Sends a part; when the group became a supergroup, records its new id and sends there, unless
   * the supergroup is subscribed already (as another user), which then stands for the chat.
   */
  private async sendFollowingTheChat(
    run: DeliveryRun,
    userId: string,
    unit: SendUnit,
    chatId: string,
    text: string,
  ): Promise<{ parts: SentPart[]; chatId: string }> {
    try {
      return { parts: await this.parts.send(run, unit, chatId, text), chatId };
    } catch (error) {
      if (!(error instanceof TelegramSendError) || error.kind !== 'chat_migrated') throw error;
      const movedTo = error.newChatId!;
      const outcome = await this.commands.execute(
        new MigrateChatCommand(userId, movedTo, this.context(run)),
      );
      if (outcome === 'ended') {
        throw new PermanentFailure(
          'unsubscribed',
          `The group became supergroup ${movedTo}, which is subscribed as another user; this subscription ended`,
        );
      }
      return { parts: await this.parts.send(run, unit, movedTo, text), chatId: movedTo };
    }
  }

  /** The user blocked the bot: a blocked user is no longer a subscriber. */
  private async unsubscribeBlocked(run: DeliveryRun, chatId: string): Promise<void> {
    try {
      await this.commands.execute(new UnsubscribeUserCommand(chatId, 'blocked', this.context(run)));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== DomainErrorCode.UserNotSubscribed)
        throw error;
    }
  }

  private context(run: DeliveryRun) {
    return { correlationId: run.metadata.correlationId, actor: 'delivery' };
  }
}
