/** What the bot says. Plain text: no parse mode, so nothing a user sends can break the markup. */
export const BotReplies = {
  welcome: (userId: string, chatId: string) =>
    [
      'Welcome! You are subscribed to scheduled messages.',
      '',
      `Your user_id: ${userId}`,
      `Your chat_id: ${chatId}`,
      '',
      'Give your user_id to whoever schedules messages for you. Send /stop to unsubscribe.',
    ].join('\n'),
  welcomeAgain: (userId: string, chatId: string) =>
    [
      'Welcome back! You are subscribed again, under the same user_id as before.',
      '',
      `Your user_id: ${userId}`,
      `Your chat_id: ${chatId}`,
    ].join('\n'),
  welcomeBack: (userId: string, chatId: string) =>
    [
      'Welcome back! You are already subscribed.',
      '',
      `Your user_id: ${userId}`,
      `Your chat_id: ${chatId}`,
    ].join('\n'),
  help: () =>
    [
      'This bot delivers scheduled messages and files.',
      '',
      '/start - subscribe, and see your user_id',
      '/stop - unsubscribe: no more messages',
      '/help - this list',
    ].join('\n'),
  stopped: (userId: string) =>
    [
      'You are unsubscribed: no more messages will reach you.',
      `Send /start to subscribe again; your user_id stays ${userId}.`,
    ].join('\n'),
  notSubscribed: () => 'You are not subscribed. Send /start to subscribe.',
  refused: (detail: string, code: string) => `That did not work: ${detail} (${code})`,
  failed: (reference: string) =>
    `Something went wrong on our side. Please try again later. (reference: ${reference})`,
} as const;
