import type { Attachment, MessageSendOptions } from './events';

/** How Telegram shows a file: the Bot API method it is sent with. */
export type FileKind = 'photo' | 'video' | 'audio' | 'document';

/** Telegram's largest photo (sendPhoto); a larger image goes as a document. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/**
 * What a file is sent as. With `send_as=documents` (the default), everything is a document, as
 * the seed sent it (no photo compression). With `media`, by the type decided from the file's
 * bytes: JPEG and PNG images (up to Telegram's 10 MB for photos) as photos, MP4 videos as videos,
 * MP3 and M4A audio as audio (the formats Telegram plays as such), the rest as documents.
 */
export function fileKindOf(
  attachment: Pick<Attachment, 'contentType' | 'size'>,
  sendAs: MessageSendOptions['sendAs'],
): FileKind {
  if (sendAs === 'documents') return 'document';
  switch (attachment.contentType) {
    case 'image/jpeg':
    case 'image/png':
      return attachment.size <= MAX_PHOTO_BYTES ? 'photo' : 'document';
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
