import { SubscriberReader } from '../../libs/application/src/ports/subscriber-reader';

/** Subscribers as far as series decisions read them: their own time zones. */
export class SubscriberZones extends SubscriberReader {
  constructor(private readonly zones: ReadonlyMap<string, string> = new Map()) {
    super();
  }
  timeZones = async (userIds: readonly string[]) =>
    new Map([...this.zones].filter(([userId]) => userIds.includes(userId)));
  statuses = unused;
  byUserIds = unused;
  byUserId = unused;
  activeOfChat = unused;
  ofChat = unused;
  active = unused;
  activeIn = unused;
}

function unused(): never {
  throw new Error('not read by series decisions');
}
