import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StorageConfig } from '../../libs/config/src/config';
import { EmptyObjectError, ObjectStorage } from '../../libs/storage/src/object-storage';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from './local-s3';

describe('ObjectStorage against the local S3 endpoint', () => {
  let s3: LocalS3;
  let directory: string;
  let storage: ObjectStorage;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'local-s3-'));
    s3 = await startLocalS3({ directory });
    storage = new ObjectStorage(
      new StorageConfig(
        s3.host,
        s3.port,
        false,
        LOCAL_S3_CREDENTIALS.accessKey,
        LOCAL_S3_CREDENTIALS.secretKey,
        'test-bucket',
      ),
    );
    await storage.ensureBucket();
  });
  afterAll(async () => {
    await s3.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('refuses an empty stream', async () => {
    await expect(
      storage.putStream('t/empty', Readable.from([]), 'text/plain'),
    ).rejects.toBeInstanceOf(EmptyObjectError);
    expect(await storage.exists('t/empty')).toBe(false);
  });

  it.each([[1], [300 * 1024], [12 * 1024 * 1024 + 7]])(
    'streams %d bytes in and out byte-exact, reporting size and sha256',
    async (size) => {
      const content = randomBytes(size);
      // Small chunks: the stream has no known length, as an upload's has not.
      const chunks = Array.from({ length: Math.ceil(size / 65536) }, (_, index) =>
        content.subarray(index * 65536, (index + 1) * 65536),
      );
      const stored = await storage.putStream(
        `t/${size}.bin`,
        Readable.from(chunks),
        'application/octet-stream',
      );
      expect(stored.size).toBe(size);
      expect(stored.sha256).toBe(createHash('sha256').update(content).digest('hex'));
      const back: Buffer[] = [];
      for await (const chunk of await storage.getStream(`t/${size}.bin`))
        back.push(chunk as Buffer);
      expect(Buffer.concat(back).equals(content)).toBe(true);
    },
  );

  it('removes objects', async () => {
    await storage.putStream('t/gone.txt', Readable.from([Buffer.from('x')]), 'text/plain');
    expect(await storage.exists('t/gone.txt')).toBe(true);
    await storage.remove(['t/gone.txt']);
    expect(await storage.exists('t/gone.txt')).toBe(false);
  });
});
