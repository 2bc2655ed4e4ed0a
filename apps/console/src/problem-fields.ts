import type { Problem } from './api';

/** The fields of the composer a problem can be shown next to. */
export type ComposerField = 'message' | 'recipients' | 'files' | 'scheduled_timestamp' | 'form';

const BY_FIELD_NAME: Readonly<Record<string, ComposerField>> = {
  message: 'message',
  parse_mode: 'message',
  target_user_id: 'recipients',
  target_topic: 'recipients',
  target_all: 'recipients',
  files: 'files',
  scheduled_timestamp: 'scheduled_timestamp',
};

/**
 * Where in the composer a refusal belongs: the field the API names (details.field or
 * details.fields), else the field its stable code is about.
 */
export function composerFieldOf(problem: Problem): ComposerField {
  const named = problem.details?.['field'] ?? (problem.details?.['fields'] as unknown[])?.[0];
  if (typeof named === 'string' && BY_FIELD_NAME[named]) return BY_FIELD_NAME[named];
  const { code } = problem;
  if (/TIMESTAMP|SCHEDULED|_PAST|TOO_FAR/.test(code)) return 'scheduled_timestamp';
  if (/RECIPIENT|TARGET|TOPIC|SUBSCRIBED/.test(code)) return 'recipients';
  if (/ATTACHMENT|FILE/.test(code)) return 'files';
  if (/MESSAGE|FORMATTING|TEMPLATE|TEXT/.test(code)) return 'message';
  return 'form';
}
