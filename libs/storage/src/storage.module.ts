import {
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AttachmentStore } from '../../application/src/ports/attachment-store';
import { StorageConfig } from '../../config/src/config';
import { ObjectStorage } from './object-storage';

@Injectable()
class BucketInitialiser implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ObjectStorage');
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly storage: ObjectStorage) {}

  /** Creates the bucket if missing; keeps trying in the background while the store is down. */
  async onApplicationBootstrap(): Promise<void> {
    await this.attempt(500);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  private async attempt(retryMs: number): Promise<void> {
    try {
      await this.storage.ensureBucket();
    } catch (error) {
      this.logger.warn(
        `Bucket ${this.storage.bucket} not ready, retrying in ${retryMs} ms: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.timer = setTimeout(() => void this.attempt(Math.min(retryMs * 2, 30_000)), retryMs);
    }
  }
}

@Global()
@Module({
  providers: [
    {
      provide: ObjectStorage,
      inject: [StorageConfig],
      useFactory: (config: StorageConfig) => new ObjectStorage(config),
    },
    { provide: AttachmentStore, useExisting: ObjectStorage },
    BucketInitialiser,
  ],
  exports: [ObjectStorage, AttachmentStore],
})
export class StorageModule {}
