import type { AudienceRequest } from '../../../../libs/application/src/audience-request';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';

/** The refusals of who a message or a series is for: user ids, topics or everyone. */
export const TARGET_PROBLEMS = [
  'NO_RECIPIENTS',
  'INVALID_RECIPIENT',
  'TOO_MANY_RECIPIENTS',
  'UNKNOWN_RECIPIENTS',
  'UNSUBSCRIBED_RECIPIENTS',
  'CONFLICTING_TARGETS',
  'UNKNOWN_TOPIC',
  'INVALID_TOPIC_NAME',
  'INVALID_TARGET_ALL',
] as const;

/** The form fields that name who a message or a series is for. */
export interface TargetFields {
  readonly target_user_id?: string;
  readonly target_topic?: string;
  readonly target_all?: string;
}

/**
 * The audience the form names, if any: `target_topic` (comma-separated names) or `target_all`
 * (`true`); exactly one kind of target per message or series, the seed's `target_user_id` included.
 */
export function audienceRequestOf(fields: TargetFields): AudienceRequest | null {
  const given = (value: string | undefined) => value !== undefined && value.trim() !== '';
  const kinds = [fields.target_user_id, fields.target_topic, fields.target_all].filter(given);
  if (kinds.length > 1) {
    throw new DomainError(
      DomainErrorCode.ConflictingTargets,
      'Give one kind of target: target_user_id, target_topic or target_all',
      { field: given(fields.target_all) ? 'target_all' : 'target_topic' },
    );
  }
  if (given(fields.target_all)) {
    if (fields.target_all!.trim().toLowerCase() !== 'true') {
      throw new DomainError(DomainErrorCode.InvalidTargetAll, 'target_all takes only true', {
        field: 'target_all',
      });
    }
    return { kind: 'all' };
  }
  if (given(fields.target_topic)) {
    return {
      kind: 'topics',
      names: fields
        .target_topic!.split(',')
        .map((name) => name.trim())
        .filter((name) => name.length > 0),
    };
  }
  return null;
}
