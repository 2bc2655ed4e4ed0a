import { fileKindOf, isCaptioned, sendUnitsOf } from './media';

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
    expect(fileKindOf({ contentType, size, image: null }, 'media')).toBe(kind);
  });

  it.each([
    [1280, 960, 'photo'],
    [5000, 5000, 'photo'],
    [5000, 5001, 'document'],
    [100, 2000, 'photo'],
    [100, 2001, 'document'],
    [2001, 100, 'document'],
  ] as const)(
    'sends an image of %i × %i pixels as a %s (Telegram’s photo sizes)',
    (width, height, kind) => {
      expect(
        fileKindOf({ contentType: 'image/png', size: 1000, image: { width, height } }, 'media'),
      ).toBe(kind);
    },
  );

  it('sends everything as a document by default, as the seed did', () => {
    expect(fileKindOf({ contentType: 'image/jpeg', size: 10, image: null }, 'documents')).toBe(
      'document',
    );
  });
});

describe('sendUnitsOf', () => {
  const photo = { contentType: 'image/jpeg', size: 1000, image: null };
  const video = { contentType: 'video/mp4', size: 1000, image: null };
  const song = { contentType: 'audio/mpeg', size: 1000, image: null };
  const pdf = { contentType: 'application/pdf', size: 1000, image: null };
  const media = { sendAs: 'media' as const, asAlbum: true };

  it('sends the text, then each file, without as_album (the seed’s way)', () => {
    expect(sendUnitsOf([photo, photo], { sendAs: 'media', asAlbum: false }, false)).toEqual([
      { kind: 'text', parts: [0] },
      { kind: 'file', parts: [1] },
      { kind: 'file', parts: [2] },
    ]);
  });

  it('groups photos with videos, audio with audio, documents alone; the text the first album’s caption', () => {
    expect(sendUnitsOf([photo, pdf, video, song, song, pdf], media, false)).toEqual([
      { kind: 'album', parts: [0, 1, 3], captioned: true },
      { kind: 'album', parts: [2, 6], captioned: false },
      { kind: 'album', parts: [4, 5], captioned: false },
    ]);
  });

  it('sends a class of one on its own, and the text first when no album forms', () => {
    expect(sendUnitsOf([photo, pdf], media, false)).toEqual([
      { kind: 'text', parts: [0] },
      { kind: 'file', parts: [1] },
      { kind: 'file', parts: [2] },
    ]);
    expect(sendUnitsOf([pdf, photo, photo], media, false)).toEqual([
      { kind: 'file', parts: [1] },
      { kind: 'album', parts: [0, 2, 3], captioned: true },
    ]);
  });

  it('splits more than ten into albums as even as can be', () => {
    const twentyOne = Array.from({ length: 21 }, () => pdf);
    const units = sendUnitsOf(twentyOne, { sendAs: 'documents', asAlbum: true }, false);
    expect(units.map((unit) => unit.parts.filter((part) => part !== 0).length)).toEqual([7, 7, 7]);
    expect(
      sendUnitsOf(
        Array.from({ length: 11 }, () => photo),
        media,
        false,
      ).length,
    ).toBe(2);
  });

  it('with buttons, sends the text and its buttons after every file (an album carries none)', () => {
    expect(sendUnitsOf([photo, photo], media, true)).toEqual([
      { kind: 'album', parts: [1, 2], captioned: false },
      { kind: 'text', parts: [0] },
    ]);
    expect(isCaptioned([photo, photo], media, true)).toBe(false);
    expect(isCaptioned([photo, photo], media, false)).toBe(true);
  });
});
