import { type INestApplication, type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ValidationError } from 'class-validator';
import { useJsonLogs } from '../../../libs/observability/src/json-logs';
import { ApiModule } from './api.module';
import { mountConsole } from './console/console-static';
import { ApiError } from './http/api-error';
import { jsonBodyParser } from './http/json-body';
import { correlationIdMiddleware } from './http/request-context';

export const API_PARTS_DESCRIPTION = 'Scheduled messages for Telegram';

/** Builds the API application; main.ts and the end-to-end tests both start it from here. */
export async function createApiApp(
  config: readonly object[],
  options: { logger?: false | LoggerService | undefined } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    abortOnError: false,
    ...(options.logger !== undefined ? { logger: options.logger } : { bufferLogs: true }),
  });
  if (options.logger === undefined) useJsonLogs(app);
  app.use(correlationIdMiddleware);
  mountConsole(app);
  app.use(...jsonBodyParser());
  app.useGlobalPipes(
    new ValidationPipe({
      // What a DTO does not declare is dropped, never refused: the seed ignored unknown fields
      // and query parameters, and its clients send some. Routes that take a body keep the
      // dropped fields in the events' metadata (http/extra-fields.ts).
      whitelist: true,
      forbidNonWhitelisted: false,
      exceptionFactory: (errors: ValidationError[]) => {
        const messages = errors.flatMap((error) =>
          error.constraints ? Object.values(error.constraints) : [`${error.property} is not valid`],
        );
        return new ApiError('INVALID_REQUEST', messages.join('; '), {
          fields: errors.map((error) => error.property),
        });
      },
    }),
  );
  app.enableShutdownHooks();
  const document = openApiDocument(app);
  SwaggerModule.setup('docs', app, document);
  return app;
}

/** The OpenAPI document of the API, served at /docs-json and kept in openapi.json. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Scheduled Message API')
      .setDescription(API_PARTS_DESCRIPTION)
      .setVersion('1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'bearer')
      .build(),
  );
}
