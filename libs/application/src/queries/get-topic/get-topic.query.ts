import { Query } from '@nestjs/cqrs';
import type { TopicRecord } from '../../ports/topic-reader';

/** The active topic with this name (any letter case); TOPIC_NOT_FOUND for none. */
export class GetTopicQuery extends Query<TopicRecord> {
  constructor(readonly name: string) {
    super();
  }
}
