import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while handling one request or one message carries. */
export interface LogContext {
  /** The id of the request that started the chain: the same in the API, scheduler and delivery. */
  readonly correlationId?: string;
  readonly messageId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export const currentLogContext = (): LogContext => storage.getStore() ?? {};

/** Runs `work` with these fields added to every log line it writes, however deep. */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run({ ...currentLogContext(), ...context }, work);
}
