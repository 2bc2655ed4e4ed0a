import { Query } from '@nestjs/cqrs';
import type { TopicRecord } from '../../ports/topic-reader';

/**
 * The active topics by name, each with its count of active members; with a subscriber's user id,
 * also which of them it belongs to.
 */
export class ListTopicsQuery extends Query<{ topic: TopicRecord; member: boolean }[]> {
  constructor(readonly userId: string | null = null) {
    super();
  }
}
