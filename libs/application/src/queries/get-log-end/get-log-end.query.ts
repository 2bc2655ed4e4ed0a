import { Query } from '@nestjs/cqrs';

/**
 * The position of the last event a reader of the log can see now (0 for an empty log): where a
 * client that wants only what happens from now on starts following.
 */
export class GetLogEndQuery extends Query<number> {}
