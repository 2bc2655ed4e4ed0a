import { Logger } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Command, Ctx, Help, On, Start, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import { SetSubscriberTimeZoneCommand } from '../../../../libs/application/src/commands/set-subscriber-time-zone/set-subscriber-time-zone.command';
import { ChangeTopicMembershipCommand } from '../../../../libs/application/src/commands/change-topic-membership/change-topic-membership.command';
import { ListTopicsQuery } from '../../../../libs/application/src/queries/list-topics/list-topics.query';
import { SubscribeUserCommand } from '../../../../libs/application/src/commands/subscribe-user/subscribe-user.command';
import { UnsubscribeUserCommand } from '../../../../libs/application/src/commands/unsubscribe-user/unsubscribe-user.command';
import { FindSubscriberByChatQuery } from '../../../../libs/application/src/queries/find-subscriber-by-chat/find-subscriber-by-chat.query';
import type { RequestContext } from '../../../../libs/application/src/request-context';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';
import { BotReplies } from './bot-replies';

/** The bot's commands: the same commands the REST API issues. */
@Update()
export class BotUpdate {
  private readonly logger = new Logger('Bot');

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Start()
  async start(@Ctx() ctx: Context): Promise<void> {
    await this.answering(ctx, async (chatId, context) => {
      const current = await this.queries.execute(new FindSubscriberByChatQuery(chatId));
      if (current) return BotReplies.welcomeBack(current.userId, chatId);
      try {
        const { subscriber, resubscribed } = await this.commands.execute(
          new SubscribeUserCommand(chatId, chatName(ctx), context),
        );
        return (resubscribed ? BotReplies.welcomeAgain : BotReplies.welcome)(
          subscriber.userId,
          chatId,
        );
      } catch (error) {
        // Two /start at once: the other one subscribed the chat.
        if (!(error instanceof DomainError) || error.code !== DomainErrorCode.ChatAlreadySubscribed)
          throw error;
        const subscriber = await this.queries.execute(new FindSubscriberByChatQuery(chatId));
        if (!subscriber) throw error;
        return BotReplies.welcomeBack(subscriber.userId, chatId);
      }
    });
  }

  @Help()
  async help(@Ctx() ctx: Context): Promise<void> {
    await this.answering(ctx, async () => BotReplies.help());
  }

  @Command('stop')
  async stop(@Ctx() ctx: Context): Promise<void> {
    await this.answering(ctx, async (chatId, context) => {
      try {
        const userId = await this.commands.execute(
          new UnsubscribeUserCommand(chatId, 'requested', context),
        );
        return BotReplies.stopped(userId);
      } catch (error) {
        if (error instanceof DomainError && error.code === DomainErrorCode.UserNotSubscribed) {
          return BotReplies.notSubscribed();
        }
        throw error;
      }
    });
  }

  /**
   * `/timezone Europe/Berlin` sets the subscriber's own zone (series at each recipient's local
   * time send there); `/timezone off` clears it; `/timezone` alone says what it is.
   */
  @Command('timezone')
  async timeZone(@Ctx() ctx: Context): Promise<void> {
    await this.answering(ctx, async (chatId, context) => {
      const argument = commandArgument(ctx);
      if (argument === '') {
        const subscriber = await this.queries.execute(new FindSubscriberByChatQuery(chatId));
        if (!subscriber) return BotReplies.notSubscribed();
        return BotReplies.timeZoneIs(subscriber.timeZone);
      }
      const clearing = ['off', 'none', 'clear', 'reset'].includes(argument.toLowerCase());
      try {
        const subscriber = await this.commands.execute(
          new SetSubscriberTimeZoneCommand({ chatId }, clearing ? null : argument, context),
        );
        return subscriber.timeZone === null
          ? BotReplies.timeZoneCleared()
          : BotReplies.timeZoneSet(subscriber.timeZone, localClock(subscriber.timeZone));
      } catch (error) {
        if (error instanceof DomainError && error.code === DomainErrorCode.UserNotSubscribed) {
          return BotReplies.notSubscribed();
        }
        if (error instanceof DomainError && error.code === DomainErrorCode.UnknownTimeZone) {
          return BotReplies.unknownTimeZone(argument);
        }
        throw error;
      }
    });
  }

  /** `/topics`: the topics there are, marked where the chat belongs. */
  @Command('topics')
  async topics(@Ctx() ctx: Context): Promise<void> {
    await this.answering(ctx, async (chatId) => {
      const subscriber = await this.queries.execute(new FindSubscriberByChatQuery(chatId));
      if (!subscriber) return BotReplies.notSubscribed();
      const topics = await this.queries.execute(new ListTopicsQuery(subscriber.userId));
      return BotReplies.topics(topics.map(({ topic, member }) => ({ name: topic.name, member })));
    });
  }

  /** `/join <topic>` and `/leave <topic>`. */
  @Command('join')
  async join(@Ctx() ctx: Context): Promise<void> {
    await this.changeMembership(ctx, 'join');
  }

  @Command('leave')
  async leave(@Ctx() ctx: Context): Promise<void> {
    await this.changeMembership(ctx, 'leave');
  }

  private async changeMembership(ctx: Context, change: 'join' | 'leave'): Promise<void> {
    await this.answering(ctx, async (chatId, context) => {
      const name = commandArgument(ctx);
      if (name === '') return BotReplies.topicUsage(change);
      try {
        const { topic, changed } = await this.commands.execute(
          new ChangeTopicMembershipCommand({ chatId }, name, change, context),
        );
        return change === 'join' ? BotReplies.joined(topic, changed) : BotReplies.left(topic);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        if (error.code === DomainErrorCode.UserNotSubscribed) return BotReplies.notSubscribed();
        if (error.code === DomainErrorCode.TopicNotFound) return BotReplies.noSuchTopic(name);
        if (error.code === DomainErrorCode.TopicMemberNotFound) return BotReplies.notInTopic(name);
        throw error;
      }
    });
  }

  /** The user blocked the bot (or removed it from a group): unsubscribe, without a reply. */
  @On('my_chat_member')
  async membership(@Ctx() ctx: Context): Promise<void> {
    const update = ctx.myChatMember;
    if (!update) return;
    const status = update.new_chat_member.status;
    if (status !== 'kicked' && status !== 'left') return;
    const chatId = String(update.chat.id);
    try {
      await this.commands.execute(
        new UnsubscribeUserCommand(chatId, 'blocked', contextOf(ctx, chatId)),
      );
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== DomainErrorCode.UserNotSubscribed)
        throw error;
    }
  }

  /** Runs a command and replies with its answer, or with what went wrong. */
  private async answering(
    ctx: Context,
    work: (chatId: string, context: RequestContext) => Promise<string>,
  ): Promise<void> {
    if (!ctx.chat) return;
    const chatId = String(ctx.chat.id);
    const context = contextOf(ctx, chatId);
    let reply: string;
    try {
      reply = await work(chatId, context);
    } catch (error) {
      if (error instanceof DomainError) {
        reply = BotReplies.refused(error.message, error.code);
      } else {
        this.logger.error(
          `Update ${ctx.update.update_id} failed [correlation ${context.correlationId}]: ${
            error instanceof Error ? (error.stack ?? error.message) : String(error)
          }`,
        );
        reply = BotReplies.failed(context.correlationId);
      }
    }
    await ctx.reply(reply);
  }
}

function contextOf(ctx: Context, chatId: string): RequestContext {
  return { correlationId: `telegram-update-${ctx.update.update_id}`, actor: `telegram:${chatId}` };
}

/** The seed's rule: the username, else the first name (a group's title, for a group). */
function chatName(ctx: Context): string {
  const chat = ctx.chat;
  const title = chat && 'title' in chat ? chat.title : undefined;
  return ctx.from?.username ?? ctx.from?.first_name ?? title ?? 'Telegram user';
}

/** What follows the command in the message: `/timezone@our_bot Europe/Berlin` gives `Europe/Berlin`. */
function commandArgument(ctx: Context): string {
  const text = ctx.message && 'text' in ctx.message ? ctx.message.text : '';
  return text.replace(/^\/\S*/, '').trim();
}

/** The time of day now in the zone, as 14:05: shown so a wrong zone is seen at once. */
function localClock(timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date());
}
