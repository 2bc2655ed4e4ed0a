/** Telegram updates as the Bot API delivers them, for tests. */

interface Person {
  readonly username?: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

export function commandUpdate(
  chatId: number,
  command: string,
  person: Person = { firstName: 'Ann' },
) {
  const user = {
    id: chatId,
    is_bot: false,
    first_name: person.firstName ?? 'Ann',
    ...(person.lastName ? { last_name: person.lastName } : {}),
    ...(person.username ? { username: person.username } : {}),
  };
  return {
    message: {
      message_id: Math.floor(Math.random() * 1e6),
      date: Math.floor(Date.now() / 1000),
      chat: {
        id: chatId,
        type: 'private',
        first_name: user.first_name,
        ...(person.username ? { username: person.username } : {}),
      },
      from: user,
      text: command,
      entities: [{ type: 'bot_command', offset: 0, length: command.split(' ')[0]!.length }],
    },
  };
}

/** The user blocked the bot (status kicked), or unblocked it (status member). */
export function membershipUpdate(chatId: number, status: 'kicked' | 'member') {
  const user = { id: chatId, is_bot: false, first_name: 'Ann' };
  const bot = { id: 1, is_bot: true, first_name: 'Test Bot', username: 'test_bot' };
  return {
    my_chat_member: {
      chat: { id: chatId, type: 'private', first_name: 'Ann' },
      from: user,
      date: Math.floor(Date.now() / 1000),
      old_chat_member: {
        user: bot,
        status: status === 'kicked' ? 'member' : 'kicked',
        ...(status === 'member' ? { until_date: 0 } : {}),
      },
      new_chat_member: { user: bot, status, ...(status === 'kicked' ? { until_date: 0 } : {}) },
    },
  };
}

/** The bot's membership of a group or channel changed: added, made administrator, or removed. */
export function chatMembershipUpdate(
  chat: { id: number; type: 'group' | 'supergroup' | 'channel'; title: string },
  change: { from: string; to: string; by?: number },
) {
  const bot = { id: 1, is_bot: true, first_name: 'Test Bot', username: 'test_bot' };
  const member = (status: string) => ({
    user: bot,
    status,
    ...(status === 'administrator' ? { can_be_edited: false, can_post_messages: true } : {}),
    ...(status === 'kicked' ? { until_date: 0 } : {}),
  });
  return {
    my_chat_member: {
      chat,
      from: { id: change.by ?? 4242, is_bot: false, first_name: 'Admin' },
      date: Math.floor(Date.now() / 1000),
      old_chat_member: member(change.from),
      new_chat_member: member(change.to),
    },
  };
}
