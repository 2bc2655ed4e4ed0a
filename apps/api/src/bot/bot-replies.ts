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
      '/timezone Europe/Berlin - your time zone, for messages sent at your local time',
      '/topics - the topics you can join',
      '/join <topic>, /leave <topic> - join or leave a topic',
      '/help - this list',
    ].join('\n'),
  stopped: (userId: string) =>
    [
      'You are unsubscribed: no more messages will reach you.',
      `Send /start to subscribe again; your user_id stays ${userId}.`,
    ].join('\n'),
  timeZoneIs: (timeZone: string | null) =>
    timeZone === null
      ? [
          'You have no time zone set: messages meant for your local time come at the sender’s.',
          'Set yours with /timezone and its name, e.g. /timezone Europe/Berlin',
        ].join('\n')
      : [
          `Your time zone is ${timeZone}.`,
          'Change it with /timezone and another name, or clear it with /timezone off.',
        ].join('\n'),
  timeZoneSet: (timeZone: string, clock: string) =>
    [
      `Your time zone is ${timeZone} now (it is ${clock} there).`,
      'Messages meant for your local time come at that time of day in this zone.',
    ].join('\n'),
  timeZoneCleared: () =>
    'Your time zone is cleared: messages meant for your local time come at the sender’s.',
  unknownTimeZone: (given: string) =>
    [
      `"${given.slice(0, 64)}" is not a time zone I know.`,
      'Send its IANA name, the region and the city: /timezone Europe/Berlin, /timezone America/New_York, /timezone Asia/Kolkata, or /timezone UTC.',
    ].join('\n'),
  topics: (topics: readonly { name: string; member: boolean }[], shown: number) =>
    topics.length === 0
      ? 'There are no topics yet.'
      : [
          'Topics (✓: you are in it). Tap one to join or leave it:',
          ...topics.map((topic) => `${topic.member ? '✓' : '·'} ${topic.name}`),
          '',
          shown < topics.length
            ? `The buttons show the first ${shown}; join any with /join <topic>, leave with /leave <topic>.`
            : 'Or join one with /join <topic>, leave with /leave <topic>.',
        ].join('\n'),
  /** A toggle's label: what the topic is to the user now. */
  topicButton: (topic: { name: string; member: boolean }) =>
    `${topic.member ? '✓' : '+'} ${topic.name}`,
  topicGone: () => 'That topic is gone. The list is up to date now.',
  topicUsage: (change: 'join' | 'leave') =>
    `Name the topic: /${change} release-notes. /topics lists them.`,
  joined: (topic: string, changed: boolean) =>
    changed ? `You joined ${topic}.` : `You are in ${topic} already.`,
  left: (topic: string) => `You left ${topic}.`,
  noSuchTopic: (name: string) =>
    `There is no topic named "${name.slice(0, 64)}". /topics lists them.`,
  notInTopic: (name: string) => `You are not in ${name.slice(0, 64)}.`,
  notSubscribed: () => 'You are not subscribed. Send /start to subscribe.',
  refused: (detail: string, code: string) => `That did not work: ${detail} (${code})`,
  failed: (reference: string) =>
    `Something went wrong on our side. Please try again later. (reference: ${reference})`,
} as const;
