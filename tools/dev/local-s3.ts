import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

/** s3rver takes these credentials and does not check the secret. */
export const LOCAL_S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;

const EMPTY_UPLOAD_LIST = (bucket: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`;

export interface LocalS3 {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * An S3 endpoint for tests and local runs: s3rver behind a small HTTP front. The minio client
 * lists a bucket's unfinished multipart uploads (`GET /<bucket>?uploads`) before every upload of
 * unknown size, which s3rver does not implement; the front answers that one request with an
 * empty list and passes everything else through.
 */
export async function startLocalS3(options: {
  directory: string;
  port?: number;
}): Promise<LocalS3> {
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: options.directory,
  });
  const backend = await s3rver.run();
  const front: Server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://local');
    const bucket = url.pathname.split('/')[1] ?? '';
    if (
      incoming.method === 'GET' &&
      url.searchParams.has('uploads') &&
      url.pathname.split('/').filter(Boolean).length === 1
    ) {
      outgoing.writeHead(200, { 'Content-Type': 'application/xml' });
      outgoing.end(EMPTY_UPLOAD_LIST(bucket));
      incoming.resume();
      return;
    }
    const forward = request(
      {
        host: '127.0.0.1',
        port: backend.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forward.on('error', (error) => {
      outgoing.destroy(error);
    });
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = front.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    close: async () => {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await s3rver.close();
    },
  };
}
