import { PassThrough, type Readable } from 'node:stream';

/**
 * Reads the first `size` bytes of a stream (fewer if it ends sooner) and hands back a stream that
 * yields every byte, those included: a file's type is decided from its head before it is stored,
 * without holding more of it in memory.
 */
export function peekStream(
  stream: Readable,
  size: number,
): Promise<{ head: Buffer; whole: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let ended = false;
    const finish = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.pause();
      const head = Buffer.concat(chunks);
      const whole = new PassThrough();
      stream.on('error', (error) => whole.destroy(error));
      if (ended) {
        whole.end(head);
      } else {
        whole.write(head);
        stream.pipe(whole);
      }
      resolve({ head: head.subarray(0, size), whole });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= size) finish();
    };
    const onEnd = () => {
      ended = true;
      finish();
    };
    const onError = (error: Error) => reject(error);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}
