import { imageSize } from 'image-size';

/**
 * Bytes of a file's head kept to read an image's size: a JPEG's size comes after its metadata
 * segments (EXIF, an ICC profile), each up to 64 KiB; a PNG's is in its first chunk.
 */
export const IMAGE_HEAD_BYTES = 256 * 1024;

/**
 * The width and height of a JPEG or PNG image, read from the head of its bytes; null for another
 * type, or when the head does not hold it (then Telegram decides, as it did before).
 */
export function imageDimensionsOf(
  contentType: string,
  head: Buffer,
): { width: number; height: number } | null {
  if (contentType !== 'image/jpeg' && contentType !== 'image/png') return null;
  try {
    const { width, height } = imageSize(head);
    return width > 0 && height > 0 ? { width, height } : null;
  } catch {
    return null;
  }
}
