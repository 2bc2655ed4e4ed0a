import { Logger } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Action, Command, Ctx, Help, On, Start, Update } from 'nestjs-telegraf';
import type { Context } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { SetSubscriberTimeZoneCommand } from '../../../../libs/application/src/commands/set-subscriber-time-zone/set-subscriber-time-zone.command';
import { ChangeTopicMembershipCommand } from '../../../../libs/application/src/commands/change-topic-membership/change-topic-membership.command';
import { ListTopicsQuery } from '../../../../libs/application/src/queries/list-topics/list-topics.query';
import { UpdateSubscriberProfileCommand } from '../../../../libs/application/src/commands/update-subscriber-profile/update-subscriber-profile.command';
import { SubscribeUserCommand } from '../../../../libs/application/src/commands/subscribe-user/subscribe-user.command';
import { UnsubscribeUserCommand } from '../../../../libs/application/src/commands/unsubscribe-user/unsubscribe-user.command';
import { FindSubscriberByChatQuery } from '../../../../libs/application/src/queries/find-subscriber-by-chat/find-subscriber-by-chat.query';
import type { RequestContext } from '../../../../libs/application/src/request-context';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';
import type { ChatType, SubscriberProfile } from '../../../../libs/domain/src/events';
import { BotReplies } from './bot-replies';

/** A reply with buttons under it. */
interface BotAnswer {
  readonly text: string;
  readonly keyboard: InlineKeyboardMarkup;
}

/** A topic button's callback data: `topic:<topic id>` (38 bytes; Telegram allows 64). */
const TOPIC_TOGGLE = /^topic:([0-9a-f-]{36})$/;
/** Buttons under /topics at most (Telegram allows 100 in a keyboard); the rest by /join. */
const MAX_TOPIC_BUTTONS = 50;

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
      if (current) {
        // Names change: templates use the ones the user has now.
        const profile = profileOf(ctx);
        if (profile)
          await this.commands.execute(
            new UpdateSubscriberProfileCommand(current.userId, profile, context),
          );
        return BotReplies.welcomeBack(current.userId, chatId);
      }
      try {
        const { subscriber, resubscribed } = await this.commands.execute(
          new SubscribeUserCommand(chatId, chatName(ctx), context, {
            profile: profileOf(ctx),
            chatType: chatTypeOf(ctx.chat),
          }),
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

  /**
   * `/topics`: the topics there are, marked where the chat belongs, with a button per topic that
   * joins or leaves it (a callback query, answered below).
   */
  @Command('topics')
  async topics(@Ctx() ctx: Context): Promise<void> {
    await this.answering(ctx, async (chatId) => {
      const subscriber = await this.queries.execute(new FindSubscriberByChatQuery(chatId));
      if (!subscriber) return BotReplies.notSubscribed();
      return this.topicList(subscriber.userId);
    });
  }

  /**
   * A press on a topic's button: joins the topic, or leaves it when the chat is in it already,
   * then shows the list as it is now in the same message. Always answered, so the button stops
   * spinning; a press on an old list acts on the topics as they are now.
   */
  @Action(TOPIC_TOGGLE)
  async toggleTopic(@Ctx() ctx: Context): Promise<void> {
    const query = ctx.callbackQuery;
    const topicId = query && 'data' in query ? TOPIC_TOGGLE.exec(query.data)?.[1] : undefined;
    if (!ctx.chat || !topicId) {
      await ctx.answerCbQuery();
      return;
    }
    const chatId = String(ctx.chat.id);
    const context = contextOf(ctx, chatId);
    let notice: string;
    let list: BotAnswer | undefined;
    try {
      const subscriber = await this.queries.execute(new FindSubscriberByChatQuery(chatId));
      if (!subscriber) {
        notice = BotReplies.notSubscribed();
      } else {
        const topics = await this.queries.execute(new ListTopicsQuery(subscriber.userId));
        const pressed = topics.find(({ topic }) => topic.id === topicId);
        if (!pressed) {
          notice = BotReplies.topicGone();
        } else {
          const change = pressed.member ? 'leave' : 'join';
          const { topic } = await this.commands.execute(
            new ChangeTopicMembershipCommand({ chatId }, pressed.topic.name, change, context),
          );
          notice = change === 'join' ? BotReplies.joined(topic, true) : BotReplies.left(topic);
        }
        list = await this.topicList(subscriber.userId);
      }
    } catch (error) {
      notice =
        error instanceof DomainError
          ? BotReplies.refused(error.message, error.code)
          : this.failed(ctx, context, error);
    }
    await ctx.answerCbQuery(notice.slice(0, 200));
    if (list) await this.showInPlace(ctx, list);
  }

  /** The topics with the subscriber's marks, and a toggle button for each of the first ones. */
  private async topicList(userId: string): Promise<BotAnswer> {
    const topics = (await this.queries.execute(new ListTopicsQuery(userId))).map(
      ({ topic, member }) => ({ id: topic.id, name: topic.name, member }),
    );
    const buttons = topics.slice(0, MAX_TOPIC_BUTTONS);
    return {
      text: BotReplies.topics(topics, buttons.length),
      keyboard: {
        inline_keyboard: buttons.map((topic) => [
          { text: BotReplies.topicButton(topic), callback_data: `topic:${topic.id}` },
        ]),
      },
    };
  }

  /** Changes the pressed message to the new list; a list that did not change is left as it is. */
  private async showInPlace(ctx: Context, answer: BotAnswer): Promise<void> {
    try {
      await ctx.editMessageText(answer.text, { reply_markup: answer.keyboard });
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('message is not modified'))) {
        this.logger.warn(
          `Could not show the topics in place: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
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

  /**
   * The bot's own membership of a chat changed. Added to a group, or made an administrator of a
   * channel (the only way a bot posts in one): the chat is subscribed, under whoever added it.
   * Blocked by a user, or removed from (or left) a group or channel: its subscription ends, with
   * that reason. Nothing is answered in the chat: a channel's readers would all see it.
   */
  @On('my_chat_member')
  async membership(@Ctx() ctx: Context): Promise<void> {
    const update = ctx.myChatMember;
    if (!update) return;
    const chatId = String(update.chat.id);
    const context = { ...contextOf(ctx, chatId), actor: `telegram:${update.from.id}` };
    const status = update.new_chat_member.status;
    const chatType = chatTypeOf(update.chat);
    if (status === 'kicked' || status === 'left') {
      try {
        await this.commands.execute(
          new UnsubscribeUserCommand(
            chatId,
            chatType === 'private' ? 'blocked' : 'removed',
            context,
          ),
        );
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== DomainErrorCode.UserNotSubscribed)
          throw error;
      }
      return;
    }
    // A private chat subscribes with /start. A bot posts in a channel only as its administrator.
    if (chatType === 'private' || chatType === null) return;
    // An administrator of a channel posts only with can_post_messages.
    const member = update.new_chat_member;
    const mayPost =
      (status === 'administrator' &&
        !('can_post_messages' in member && member.can_post_messages === false)) ||
      (chatType !== 'channel' && status === 'member');
    if (!mayPost) return;
    const title = 'title' in update.chat ? update.chat.title : undefined;
    try {
      await this.commands.execute(
        new SubscribeUserCommand(chatId, title ?? chatId, context, { chatType }),
      );
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== DomainErrorCode.ChatAlreadySubscribed)
        throw error;
    }
  }

  /** Runs a command and replies with its answer, or with what went wrong. */
  private async answering(
    ctx: Context,
    work: (chatId: string, context: RequestContext) => Promise<string | BotAnswer>,
  ): Promise<void> {
    if (!ctx.chat) return;
    const chatId = String(ctx.chat.id);
    const context = contextOf(ctx, chatId);
    let reply: string | BotAnswer;
    try {
      reply = await work(chatId, context);
    } catch (error) {
      reply =
        error instanceof DomainError
          ? BotReplies.refused(error.message, error.code)
          : this.failed(ctx, context, error);
    }
    if (typeof reply === 'string') await ctx.reply(reply);
    else await ctx.reply(reply.text, { reply_markup: reply.keyboard });
  }

  /** Logs what failed, and says so with the reference to find it by. */
  private failed(ctx: Context, context: RequestContext, error: unknown): string {
    this.logger.error(
      `Update ${ctx.update.update_id} failed [correlation ${context.correlationId}]: ${
        error instanceof Error ? (error.stack ?? error.message) : String(error)
      }`,
    );
    return BotReplies.failed(context.correlationId);
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

/** The user's names, in a private chat (in a group, the chat is the group, not whoever wrote). */
function profileOf(ctx: Context): SubscriberProfile | null {
  if (ctx.chat?.type !== 'private' || !ctx.from) return null;
  return {
    firstName: ctx.from.first_name,
    lastName: ctx.from.last_name ?? null,
    username: ctx.from.username ?? null,
  };
}

/** The kind of chat Telegram says it is. */
function chatTypeOf(chat: Context['chat']): ChatType | null {
  switch (chat?.type) {
    case 'private':
    case 'group':
    case 'supergroup':
    case 'channel':
      return chat.type;
    case undefined:
      return null;
  }
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
