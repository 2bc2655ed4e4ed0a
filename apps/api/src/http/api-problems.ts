import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ERROR_CATALOGUE, type ErrorCode, STATUS_TITLES, statusOf } from './error-catalogue';

/** An error answer (RFC 9457), as ProblemDetailsFilter writes it. */
export class ProblemResponse {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ description: 'Stable code of the cause', example: 'UNKNOWN_RECIPIENTS' })
  code!: string;

  @ApiProperty({ example: 'Unknown user ids in target_user_id: nobody' })
  detail!: string;

  @ApiPropertyOptional({ type: Object, example: { field: 'target_user_id', userIds: ['nobody'] } })
  details?: Record<string, unknown>;

  @ApiProperty({ description: 'Also in the logs and the X-Correlation-Id header' })
  correlation_id!: string;
}

/** What every route behind an API key can answer, besides its own. */
const KEYED_ROUTE_PROBLEMS: readonly ErrorCode[] = [
  'API_KEY_MISSING',
  'API_KEY_INVALID',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
];

/**
 * The error answers of a route behind an API key: its own codes, and those every such route can
 * give, grouped by the status the catalogue gives each, described as the catalogue describes them.
 */
export function ApiProblems(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...codes, ...KEYED_ROUTE_PROBLEMS])) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ApiExtraModels(ProblemResponse),
    ...[...byStatus].map(([status, group]) =>
      ApiResponse({
        status,
        description: group.map((code) => `${code}: ${ERROR_CATALOGUE[code].when}`).join('. '),
        content: {
          'application/problem+json': {
            schema: { $ref: getSchemaPath(ProblemResponse) },
            example: {
              type: 'about:blank',
              title: STATUS_TITLES[status] ?? 'Error',
              status,
              code: group[0],
              detail: 'What went wrong, for people',
              correlation_id: '1e62f391-99f7-4f38-99ff-b28f1ce3fbb5',
            },
          },
        },
      }),
    ),
  );
}
