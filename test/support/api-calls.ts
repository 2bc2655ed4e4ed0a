import request from 'supertest';
import { TEST_API_KEY } from './api-harness';
import { type TestSystem, waitUntil } from './system';
import { commandUpdate } from './telegram-updates';

export const auth = { Authorization: `Bearer ${TEST_API_KEY}` };

/** Subscribes the chat through the API (as the bot's /start would); its user id and chat id. */
export async function subscribeChat(
  system: TestSystem,
  chatId: string,
): Promise<{ userId: string; chatId: string }> {
  const response = await request(system.server)
    .post('/subscribe-user')
    .set(auth)
    .send({ chat_id: chatId, chat_name: `chat-${chatId}` })
    .expect(200);
  return { userId: response.body.user_id, chatId };
}

/** Subscribes a private chat the way a person does: /start to the bot (polling the double). */
export async function startChat(
  system: TestSystem,
  chatId: number,
  person: { firstName: string; lastName?: string; username?: string },
): Promise<{ userId: string; chatId: string }> {
  system.telegram.pushUpdate(commandUpdate(chatId, '/start', person));
  let userId: string | undefined;
  await waitUntil(
    async () => {
      const found = /Your user_id: ([0-9a-f-]{36})/.exec(
        system.telegram.textsTo(String(chatId)).join('\n'),
      );
      userId = found?.[1];
      return userId !== undefined;
    },
    10_000,
    `the bot to answer /start in chat ${chatId}`,
  );
  return { userId: userId!, chatId: String(chatId) };
}

/** Waits until GET /messages/:id says the message is sent, and answers it; the apps' logs on a timeout. */
export async function sentMessage<Body = Record<string, unknown>>(
  system: TestSystem,
  id: string,
  timeoutMs = 30_000,
): Promise<Body> {
  await waitUntil(
    async () =>
      (await request(system.server).get(`/messages/${id}`).set(auth)).body.is_sent === true,
    timeoutMs,
    `message ${id} to be sent`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${system.logs()}`);
  });
  return (await request(system.server).get(`/messages/${id}`).set(auth).expect(200)).body;
}

/** Waits until the series has planned its first occurrence; that occurrence's message id. */
export async function firstOccurrenceMessage(
  system: TestSystem,
  seriesId: string,
): Promise<string> {
  let messageId: string | undefined;
  await waitUntil(
    async () => {
      const response = await request(system.server)
        .get(`/series/${seriesId}/occurrences`)
        .set(auth)
        .expect(200);
      messageId = response.body[0]?.message_id ?? undefined;
      return messageId !== undefined;
    },
    10_000,
    `series ${seriesId} to plan its occurrence`,
  );
  return messageId!;
}
