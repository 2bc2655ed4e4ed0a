import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { peekStream } from './peek-stream';

describe('peekStream', () => {
  it('reads the head and gives back every byte, in order', async () => {
    const parts = ['abc', 'defgh', 'ijklmnop', 'qrstuvwxyz'];
    const { head, whole } = await peekStream(Readable.from(parts.map((p) => Buffer.from(p))), 6);
    expect(head.toString()).toBe('abcdef');
    expect(await text(whole)).toBe(parts.join(''));
  });

  it('handles a stream shorter than the head', async () => {
    const { head, whole } = await peekStream(Readable.from([Buffer.from('hi')]), 512);
    expect(head.toString()).toBe('hi');
    expect(await text(whole)).toBe('hi');
  });
});
