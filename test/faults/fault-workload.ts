import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { deliveredIn, limitViolationsIn } from '../../tools/dev/bot-api-double';
import { TEST_API_KEY } from '../support/api-harness';
import type { TestSystem } from '../support/system';
import { waitUntil } from '../support/system';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };

export interface Workload {
  readonly chats: { userId: string; chatId: string }[];
  readonly messages: { id: string; recipients: string[]; parts: number }[];
}

/**
 * Subscribes `chatCount` chats and schedules `messageCount` messages, due now, to some of them, or
 * (`toEveryone`) to everyone subscribed: broadcasts, delivered in parts.
 */
export async function scheduleWorkload(
  system: TestSystem,
  options: {
    chatCount: number;
    messageCount: number;
    recipientsPerMessage: number;
    chatIdBase: number;
    toEveryone?: boolean;
  },
): Promise<Workload> {
  const chats: Workload['chats'] = [];
  for (let index = 0; index < options.chatCount; index++) {
    const chatId = String(options.chatIdBase + index);
    const response = await request(system.server)
      .post('/subscribe-user')
      .set(auth)
      .send({ chat_id: chatId, chat_name: `fault-${chatId}` })
      .expect(200);
    chats.push({ userId: response.body.user_id, chatId });
  }
  const messages: Workload['messages'] = [];
  for (let index = 0; index < options.messageCount; index++) {
    const recipients = options.toEveryone
      ? chats.map((chat) => chat.userId)
      : Array.from(
          { length: options.recipientsPerMessage },
          (_, offset) => chats[(index * 7 + offset) % chats.length]!.userId,
        );
    const withFile = index % 3 === 0;
    const send = () => {
      let call = request(system.server)
        .post('/schedule-message')
        .set(auth)
        .field(
          options.toEveryone ? 'target_all' : 'target_user_id',
          options.toEveryone ? 'true' : recipients.join(','),
        )
        .field('message', `Fault message ${index}`)
        .field('scheduled_timestamp', new Date().toISOString());
      // A file of its own per message, so that each message's upload and file_id are told apart.
      if (withFile) call = call.attach('files', randomBytes(64 * 1024), `file-${index}.bin`);
      return call.timeout(20_000);
    };
    // s3rver once left a multipart upload's completion hanging here; a second request goes
    // through a new upload. (The API itself is not the subject of this suite.)
    const response = await send().catch(() => send());
    if (response.status !== 200)
      throw new Error(`schedule failed: ${JSON.stringify(response.body)}`);
    messages.push({ id: response.body.id, recipients, parts: withFile ? 2 : 1 });
  }
  return { chats, messages };
}

export async function waitAllSent(
  system: TestSystem,
  workload: Workload,
  timeoutMs: number,
): Promise<void> {
  const ids = workload.messages.map((message) => message.id);
  const inList = ids.map(() => '?').join(',');
  try {
    await waitUntil(
      async () => {
        const rows = await system.orm.em
          .fork()
          .execute<{ count: string }[]>(
            `SELECT count(*) FROM messages WHERE is_sent AND id IN (${inList})`,
            ids,
          )
          .catch(() => [{ count: '-1' }]);
        return Number(rows[0]!.count) === ids.length;
      },
      timeoutMs,
      'every message to be sent',
    );
  } catch (error) {
    const unsent = await system.orm.em.fork().execute(
      `SELECT m.id, m.status, count(*) FILTER (WHERE r.status = 'pending') AS pending
         FROM messages m JOIN message_recipients r ON r.message_id = m.id
        WHERE NOT m.is_sent AND m.id IN (${inList}) GROUP BY m.id, m.status`,
      ids,
    );
    throw new Error(
      `${(error as Error).message}; unsent: ${JSON.stringify(unsent)}\n${system.logs().slice(-6000)}`,
    );
  }
}

export interface Figures {
  scenario: string;
  messages: number;
  recipients: number;
  delivered: number;
  failedAsExpected: number;
  duplicates: number;
  /** Duplicates of a send Telegram accepted but the process died before recording. */
  duplicatesInCrashWindow: number;
  lost: number;
  /** What the read model says of each lost recipient, to explain a failure. */
  lostDetails: unknown[];
  rateLimited: number;
  limitViolations: number;
  /** Which limits were breached: the bot's per second, a chat's, a group's. */
  limitViolationsByKind: { bot: number; chat: number; group: number };
  /** For a breach of the bot's limit: each window, its span and the gaps between its sends. */
  botViolationWindows: string[];
}

/**
 * Compares what the double received with what was asked: every part of every message to every
 * recipient (but those expected to fail) exactly once.
 */
export async function measure(
  system: TestSystem,
  workload: Workload,
  scenario: string,
  expectedToFail: ReadonlySet<string> = new Set(),
): Promise<Figures> {
  const chatOf = new Map(workload.chats.map((chat) => [chat.userId, chat.chatId]));
  const recorded = new Set(
    (await system.events())
      .filter((event) => event.type === 'RecipientPartSent')
      .map((event) => `${String(event.data.chatId)}/${String(event.data.telegramMessageId)}`),
  );
  const calls = await system.remoteTelegram.calls();
  const accepted = deliveredIn(calls);
  let delivered = 0;
  let failedAsExpected = 0;
  let duplicates = 0;
  let duplicatesInCrashWindow = 0;
  let lost = 0;
  const lostDetails: unknown[] = [];
  for (const message of workload.messages) {
    const index = message.id;
    const text = accepted.filter((call) => call.method === 'sendMessage');
    const docs = accepted.filter((call) => call.method === 'sendDocument');
    for (const userId of message.recipients) {
      const chatId = chatOf.get(userId)!;
      if (expectedToFail.has(chatId)) {
        failedAsExpected++;
        continue;
      }
      const ordinal = workload.messages.findIndex((other) => other.id === index);
      const texts = text.filter(
        (call) => call.chatId === chatId && call.text === `Fault message ${ordinal}`,
      );
      const files =
        message.parts === 2
          ? docs.filter((call) => call.chatId === chatId && isFileOf(call, ordinal))
          : [];
      const parts = [texts, ...(message.parts === 2 ? [files] : [])];
      if (parts.some((sends) => sends.length === 0)) {
        lost++;
        lostDetails.push(
          ...(await system.orm.em
            .fork()
            .execute('SELECT * FROM message_recipients WHERE message_id = ? AND user_id = ?', [
              message.id,
              userId,
            ])),
        );
        continue;
      }
      delivered++;
      for (const sends of parts) {
        for (const extra of sends.slice(0, -1)) {
          duplicates++;
          // The first accepted send was never recorded: the sender died in between.
          if (!recorded.has(`${chatId}/${String(extra.messageId)}`)) duplicatesInCrashWindow++;
        }
      }
    }
  }
  const violations = limitViolationsIn(calls);
  return {
    scenario,
    messages: workload.messages.length,
    recipients: workload.messages.reduce((sum, message) => sum + message.recipients.length, 0),
    delivered,
    failedAsExpected,
    duplicates,
    duplicatesInCrashWindow,
    lost,
    lostDetails,
    rateLimited: calls.filter((call) => call.status === 429).length,
    limitViolations: violations.bot + violations.chat + violations.group,
    limitViolationsByKind: violations,
    botViolationWindows:
      violations.bot > 0 ? await system.remoteTelegram.botViolationWindows() : [],
  };

  function isFileOf(call: { fileName?: string; fileId?: string }, ordinal: number): boolean {
    // Uploaded under its name, or sent again by the file_id of that upload.
    return (
      call.fileName === `file-${ordinal}.bin` ||
      (call.fileId !== undefined && fileIdsOf(ordinal).has(call.fileId))
    );
  }

  function fileIdsOf(ordinal: number): Set<string> {
    return new Set(
      accepted
        .filter((call) => call.fileName === `file-${ordinal}.bin` && call.sha256)
        .map((call) => `file-${call.sha256!}`),
    );
  }
}

export function report(figures: Figures): void {
  process.stdout.write(
    `FAULTS ${figures.scenario}: messages=${figures.messages} recipients=${figures.recipients} delivered=${figures.delivered} ` +
      `failed_as_expected=${figures.failedAsExpected} duplicates=${figures.duplicates} ` +
      `(in_crash_window=${figures.duplicatesInCrashWindow}) lost=${figures.lost} 429s=${figures.rateLimited} ` +
      `limit_violations=${figures.limitViolations} (bot=${figures.limitViolationsByKind.bot} chat=${figures.limitViolationsByKind.chat} group=${figures.limitViolationsByKind.group})\n` +
      (figures.lost > 0 ? `  lost: ${JSON.stringify(figures.lostDetails)}\n` : '') +
      figures.botViolationWindows.map((window) => `  over the bot's limit: ${window}\n`).join(''),
  );
}
