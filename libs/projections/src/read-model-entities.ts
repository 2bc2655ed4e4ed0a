import { MessageRecipientView } from './message-recipient.view';
import { MessageView } from './message.view';
import { SubscriberView } from './subscriber.view';

/** Every read model entity, for the ORM's discovery. */
export const readModelEntities = [SubscriberView, MessageView, MessageRecipientView];
