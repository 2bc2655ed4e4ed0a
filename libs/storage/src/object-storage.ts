import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'minio';
import { AttachmentStore } from '../../application/src/ports/attachment-store';
import { StorageConfig } from '../../config/src/config';

export interface StoredObject {
  readonly objectKey: string;
  readonly size: number;
  readonly sha256: string;
}

export class EmptyObjectError extends Error {
  constructor(readonly objectKey: string) {
    super(`Refusing to store the empty object ${objectKey}`);
    this.name = 'EmptyObjectError';
  }
}

// The client holds one part in memory per upload in flight; the smallest part S3 allows.
const PART_SIZE = 5 * 1024 * 1024;

/** Attachments in an S3-compatible bucket (MinIO in production), always as streams. */
export class ObjectStorage extends AttachmentStore {
  private readonly client: Client;
  readonly bucket: string;

  constructor(config: StorageConfig) {
    super();
    this.client = new Client({
      endPoint: config.endPoint,
      port: config.port,
      useSSL: config.useSSL,
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      partSize: PART_SIZE,
    });
    this.bucket = config.bucket;
  }

  async ensureBucket(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      await this.client.makeBucket(this.bucket).catch(async (error: unknown) => {
        // Another process created it meanwhile.
        if (!(await this.client.bucketExists(this.bucket))) throw error;
      });
    }
  }

  async isReachable(): Promise<boolean> {
    try {
      return await this.client.bucketExists(this.bucket);
    } catch {
      return false;
    }
  }

  /**
   * Streams the content into the bucket, hashing and counting it on the way; nothing is
   * buffered whole and nothing touches the local disk.
   */
  async putStream(
    objectKey: string,
    content: Readable,
    contentType: string,
  ): Promise<StoredObject> {
    const chunks: AsyncIterator<Buffer> = content[Symbol.asyncIterator]();
    const first = await chunks.next();
    // S3 cannot complete a multipart upload of nothing, and Telegram refuses empty files.
    if (first.done) throw new EmptyObjectError(objectKey);
    const hash = createHash('sha256');
    let size = 0;
    async function* measured(): AsyncGenerator<Buffer> {
      for (let next = first; !next.done; next = await chunks.next()) {
        hash.update(next.value);
        size += next.value.length;
        yield next.value;
      }
    }
    await this.client.putObject(this.bucket, objectKey, Readable.from(measured()), undefined, {
      'Content-Type': contentType,
    });
    return { objectKey, size, sha256: hash.digest('hex') };
  }

  async getStream(objectKey: string): Promise<Readable> {
    return this.client.getObject(this.bucket, objectKey);
  }

  async exists(objectKey: string): Promise<boolean> {
    try {
      await this.client.statObject(this.bucket, objectKey);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'NotFound') return false;
      throw error;
    }
  }

  async remove(objectKeys: readonly string[]): Promise<void> {
    if (objectKeys.length === 0) return;
    await this.client.removeObjects(this.bucket, [...objectKeys]);
  }

  /** Every object key in the bucket under a prefix; for tests and audits. */
  async list(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    for await (const item of this.client.listObjectsV2(this.bucket, prefix, true)) {
      const name = (item as { name?: string }).name;
      if (name) keys.push(name);
    }
    return keys;
  }
}
