import { Global, Module } from '@nestjs/common';
import { MessageReader } from '../../../application/src/ports/message-reader';
import { SubscriberReader } from '../../../application/src/ports/subscriber-reader';
import { PostgresMessageReader } from './postgres-message-reader';
import { PostgresSubscriberReader } from './postgres-subscriber-reader';

/** The read models behind the application's reader ports. */
@Global()
@Module({
  providers: [
    { provide: SubscriberReader, useClass: PostgresSubscriberReader },
    { provide: MessageReader, useClass: PostgresMessageReader },
  ],
  exports: [SubscriberReader, MessageReader],
})
export class ReadersModule {}
