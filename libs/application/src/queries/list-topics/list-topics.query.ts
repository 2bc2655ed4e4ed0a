import { Query } from '@nestjs/cqrs';
import type { TopicRecord } from '../../ports/topic-reader';

/** The active topics by name, each with its count of active members. */
export class ListTopicsQuery extends Query<TopicRecord[]> {}
