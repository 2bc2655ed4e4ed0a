import { fileKindOf } from './media';

describe('fileKindOf', () => {
  it.each([
    ['image/jpeg', 1000, 'photo'],
    ['image/png', 1000, 'photo'],
    ['image/png', 11 * 1024 * 1024, 'document'],
    ['image/gif', 1000, 'document'],
    ['video/mp4', 1000, 'video'],
    ['audio/mpeg', 1000, 'audio'],
    ['audio/mp4', 1000, 'audio'],
    ['application/pdf', 1000, 'document'],
  ] as const)('sends %s of %i bytes as media as a %s', (contentType, size, kind) => {
    expect(fileKindOf({ contentType, size }, 'media')).toBe(kind);
  });

  it('sends everything as a document by default, as the seed did', () => {
    expect(fileKindOf({ contentType: 'image/jpeg', size: 10 }, 'documents')).toBe('document');
  });
});
