import { type DynamicModule, Module, type Provider } from '@nestjs/common';

/**
 * Provides configuration parts validated before the app was created (see `loadConfig`), each
 * injectable by its class.
 */
@Module({})
export class ConfigModule {
  static forRoot(parts: readonly object[]): DynamicModule {
    const providers: Provider[] = parts.map((part) => ({
      provide: part.constructor,
      useValue: part,
    }));
    return { module: ConfigModule, global: true, providers, exports: providers };
  }
}
