import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

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

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** The error answers a route can give, each status with the codes that cause it. */
export function ApiProblems(problems: Record<number, string>) {
  return applyDecorators(
    ApiExtraModels(ProblemResponse),
    ...Object.entries(problems).map(([status, codes]) =>
      ApiResponse({
        status: Number(status),
        description: codes,
        content: {
          'application/problem+json': {
            schema: { $ref: getSchemaPath(ProblemResponse) },
            example: {
              type: 'about:blank',
              title: STATUS_TITLES[Number(status)] ?? 'Error',
              status: Number(status),
              code: /^[A-Z_]+/.exec(codes)?.[0] ?? 'ERROR',
              detail: 'What went wrong, for people',
              correlation_id: '1e62f391-99f7-4f38-99ff-b28f1ce3fbb5',
            },
          },
        },
      }),
    ),
  );
}

/** What any route behind an API key can answer. */
export const AUTH_PROBLEMS = {
  401: 'API_KEY_MISSING, API_KEY_INVALID',
  429: 'RATE_LIMITED (see Retry-After)',
  500: 'INTERNAL_ERROR: nothing of the cause; the correlation id finds it in the logs',
};
