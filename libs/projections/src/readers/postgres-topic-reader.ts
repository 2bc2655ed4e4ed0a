import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import {
  type TopicMemberRecord,
  type TopicMembersPage,
  TopicReader,
  type TopicRecord,
} from '../../../application/src/ports/topic-reader';
import { isUuid } from '../../../application/src/uuid';

interface TopicQueryRow {
  id: string;
  name: string;
  member_count: string;
  created_at: Date;
  updated_at: Date;
}

/** Active members only are counted: an unsubscribed one is in no audience. */
const TOPIC_COLUMNS = `t.id, t.name, t.created_at, t.updated_at,
  (SELECT count(*) FROM topic_members m JOIN subscribers s ON s.user_id = m.user_id
    WHERE m.topic_id = t.id AND s.status = 'active') AS member_count`;

/** The topics read model (tables `topics` and `topic_members`, with `subscribers`). */
@Injectable()
export class PostgresTopicReader extends TopicReader {
  constructor(private readonly orm: MikroORM) {
    super();
  }

  async byName(name: string): Promise<TopicRecord | null> {
    const [row] = await this.orm.em
      .fork()
      .execute<TopicQueryRow[]>(
        `SELECT ${TOPIC_COLUMNS} FROM topics t WHERE lower(t.name) = lower(?) AND t.status = 'active'`,
        [name],
      );
    return row ? topicOf(row) : null;
  }

  async active(): Promise<TopicRecord[]> {
    const rows = await this.orm.em
      .fork()
      .execute<TopicQueryRow[]>(
        `SELECT ${TOPIC_COLUMNS} FROM topics t WHERE t.status = 'active' ORDER BY lower(t.name)`,
      );
    return rows.map(topicOf);
  }

  async memberOf(userId: string): Promise<Set<string>> {
    if (!isUuid(userId)) return new Set();
    const rows = await this.orm.em
      .fork()
      .execute<{ topic_id: string }[]>('SELECT topic_id FROM topic_members WHERE user_id = ?', [
        userId,
      ]);
    return new Set(rows.map((row) => row.topic_id));
  }

  async members(topicId: string, limit: number, after: string | null): Promise<TopicMembersPage> {
    if (!isUuid(topicId) || (after !== null && !isUuid(after))) return { items: [], next: null };
    const rows = await this.orm.em.fork().execute<
      {
        user_id: string;
        chat_id: string;
        chat_name: string;
        status: 'active' | 'unsubscribed';
        joined_at: Date;
      }[]
    >(
      `SELECT m.user_id, s.chat_id, s.chat_name, s.status, m.joined_at
         FROM topic_members m JOIN subscribers s ON s.user_id = m.user_id
        WHERE m.topic_id = ? ${after ? 'AND m.user_id > ?' : ''}
        ORDER BY m.user_id LIMIT ?`,
      after ? [topicId, after, limit + 1] : [topicId, limit + 1],
    );
    const items: TopicMemberRecord[] = rows.slice(0, limit).map((row) => ({
      userId: row.user_id,
      chatId: row.chat_id,
      chatName: row.chat_name,
      status: row.status,
      joinedAt: new Date(row.joined_at),
    }));
    return { items, next: rows.length > limit ? (items.at(-1)?.userId ?? null) : null };
  }
}

function topicOf(row: TopicQueryRow): TopicRecord {
  return {
    id: row.id,
    name: row.name,
    memberCount: Number(row.member_count),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
