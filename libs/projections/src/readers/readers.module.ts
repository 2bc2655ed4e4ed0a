import { Global, Module } from '@nestjs/common';
import { DeliveryHealthReader } from '../../../application/src/ports/delivery-health-reader';
import { MessageReader } from '../../../application/src/ports/message-reader';
import { SeriesReader } from '../../../application/src/ports/series-reader';
import { SubscriberReader } from '../../../application/src/ports/subscriber-reader';
import { TopicReader } from '../../../application/src/ports/topic-reader';
import { PostgresDeliveryHealthReader } from './postgres-delivery-health-reader';
import { PostgresMessageReader } from './postgres-message-reader';
import { PostgresSeriesReader } from './postgres-series-reader';
import { PostgresSubscriberReader } from './postgres-subscriber-reader';
import { PostgresTopicReader } from './postgres-topic-reader';

/** The read models behind the application's reader ports. */
@Global()
@Module({
  providers: [
    { provide: SubscriberReader, useClass: PostgresSubscriberReader },
    { provide: MessageReader, useClass: PostgresMessageReader },
    { provide: SeriesReader, useClass: PostgresSeriesReader },
    { provide: TopicReader, useClass: PostgresTopicReader },
    { provide: DeliveryHealthReader, useClass: PostgresDeliveryHealthReader },
  ],
  exports: [SubscriberReader, MessageReader, SeriesReader, TopicReader, DeliveryHealthReader],
})
export class ReadersModule {}
