import type { Attachment, MessageSendOptions } from './events';

/** How Telegram shows a file: the Bot API method it is sent with. */
export type FileKind = 'photo' | 'video' | 'audio' | 'document';

/** Telegram's largest photo (sendPhoto); a larger image goes as a document. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Telegram's photo sizes: width and height at most 10,000 together, one at most 20 times the other. */
const MAX_PHOTO_SIDES = 10_000;
const MAX_PHOTO_RATIO = 20;

/** Whether Telegram takes the image as a photo: its bytes and, where known, its sides. */
function fitsAsPhoto(attachment: Pick<Attachment, 'size' | 'image'>): boolean {
  if (attachment.size > MAX_PHOTO_BYTES) return false;
  const image = attachment.image;
  if (!image) return true;
  const [short, long] = [image.width, image.height].sort((a, b) => a - b) as [number, number];
  return image.width + image.height <= MAX_PHOTO_SIDES && long <= short * MAX_PHOTO_RATIO;
}

/**
 * What a file is sent as. With `send_as=documents` (the default), everything is a document, as
 * the seed sent it (no photo compression). With `media`, by the type decided from the file's
 * bytes: JPEG and PNG images within Telegram's photo limits (10 MB; width and height at most
 * 10,000 together, neither more than 20 times the other, where their size was read) as photos,
 * the others as documents, MP4 videos as videos,
 * MP3 and M4A audio as audio (the formats Telegram plays as such), the rest as documents.
 */
export function fileKindOf(
  attachment: Pick<Attachment, 'contentType' | 'size' | 'image'>,
  sendAs: MessageSendOptions['sendAs'],
): FileKind {
  if (sendAs === 'documents') return 'document';
  switch (attachment.contentType) {
    case 'image/jpeg':
    case 'image/png':
      return fitsAsPhoto(attachment) ? 'photo' : 'document';
    case 'video/mp4':
      return 'video';
    case 'audio/mpeg':
    case 'audio/mp4':
    case 'audio/x-m4a':
      return 'audio';
    default:
      return 'document';
  }
}

/** The most items Telegram takes in one album (`sendMediaGroup`), and the fewest. */
export const MAX_ALBUM_ITEMS = 10;
const MIN_ALBUM_ITEMS = 2;
/** Telegram's longest caption, counted as the text shows once its markup is read. */
export const MAX_CAPTION_LENGTH = 1024;

/**
 * What one Telegram call sends of a message: its text (part 0), one file (part n, the n-th
 * attachment), or an album of files — with the text as its first item's caption when `parts`
 * starts with 0 (both recorded with that item's message id).
 */
export type SendUnit =
  | { readonly kind: 'text'; readonly parts: readonly [0] }
  | { readonly kind: 'file'; readonly parts: readonly [number] }
  | { readonly kind: 'album'; readonly parts: readonly number[]; readonly captioned: boolean };

/** Which files Telegram puts in one album: photos with videos, audio with audio, documents alone. */
function albumClassOf(kind: FileKind): 'visual' | 'audio' | 'document' {
  switch (kind) {
    case 'photo':
    case 'video':
      return 'visual';
    case 'audio':
      return 'audio';
    case 'document':
      return 'document';
  }
}

/** `items` in as few albums of at most ten as there can be, their sizes as even as can be. */
function albumsOf(items: readonly number[]): number[][] {
  const count = Math.ceil(items.length / MAX_ALBUM_ITEMS);
  const albums: number[][] = [];
  for (let album = 0, start = 0; album < count; album++) {
    const size = Math.floor(items.length / count) + (album < items.length % count ? 1 : 0);
    albums.push(items.slice(start, start + size));
    start += size;
  }
  return albums;
}

/**
 * How a message goes out, call by call. Without `asAlbum`: the text, then each file (the seed's
 * way). With it: files Telegram groups together (two or more of a class) in albums of at most ten,
 * a class of one as a lone file; albums and lone files in the order of their first attachment; the
 * text the first album's caption — unless the message has buttons (an album carries none: the
 * text and its buttons then follow every file) or no album forms (the text then goes first).
 */
export function sendUnitsOf(
  attachments: readonly Pick<Attachment, 'contentType' | 'size' | 'image'>[],
  options: Pick<MessageSendOptions, 'sendAs' | 'asAlbum'>,
  hasButtons: boolean,
): SendUnit[] {
  const text: SendUnit = { kind: 'text', parts: [0] };
  const lone = (part: number): SendUnit => ({ kind: 'file', parts: [part] });
  if (!options.asAlbum) return [text, ...attachments.map((_, index) => lone(index + 1))];
  const classes = new Map<string, number[]>();
  attachments.forEach((attachment, index) => {
    const albumClass = albumClassOf(fileKindOf(attachment, options.sendAs));
    classes.set(albumClass, [...(classes.get(albumClass) ?? []), index + 1]);
  });
  const files: SendUnit[] = [...classes.values()]
    .flatMap((parts) =>
      parts.length < MIN_ALBUM_ITEMS
        ? parts.map(lone)
        : albumsOf(parts).map((album): SendUnit => ({
            kind: 'album',
            parts: album,
            captioned: false,
          })),
    )
    .sort((a, b) => a.parts[0] - b.parts[0]);
  const first = files.findIndex((unit) => unit.kind === 'album');
  if (first === -1) return [text, ...files];
  if (hasButtons) return [...files, text];
  return files.map((unit, index) =>
    index === first ? { kind: 'album', parts: [0, ...unit.parts], captioned: true } : unit,
  );
}

/** Whether the message's text goes as an album's caption (at most 1024 characters, not 4096). */
export function isCaptioned(
  attachments: readonly Pick<Attachment, 'contentType' | 'size' | 'image'>[],
  options: Pick<MessageSendOptions, 'sendAs' | 'asAlbum'>,
  hasButtons: boolean,
): boolean {
  return sendUnitsOf(attachments, options, hasButtons).some(
    (unit) => unit.kind === 'album' && unit.captioned,
  );
}
