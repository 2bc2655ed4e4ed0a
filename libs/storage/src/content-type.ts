/**
 * An attachment's content type, decided from its first bytes rather than the client's word. The
 * client's type is kept when the bytes agree with it (a .docx is a zip the client names better);
 * when they contradict it the file is refused.
 */
export type ContentTypeDecision =
  | { readonly ok: true; readonly contentType: string }
  | { readonly ok: false; readonly detected: string };

/** Bytes enough to recognise every format below. */
export const SNIFF_BYTES = 512;

interface Signature {
  readonly type: string;
  readonly matches: (head: Buffer) => boolean;
  /** Declared types the bytes also fit: more specific names for the same format. */
  readonly alsoFits?: (declared: string) => boolean;
}

const startsWith =
  (bytes: readonly number[], offset = 0) =>
  (head: Buffer) =>
    head.length >= offset + bytes.length && bytes.every((byte, at) => head[offset + at] === byte);
const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

const SIGNATURES: readonly Signature[] = [
  { type: 'application/pdf', matches: startsWith(ascii('%PDF-')) },
  { type: 'image/png', matches: startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', matches: startsWith([0xff, 0xd8, 0xff]) },
  {
    type: 'image/gif',
    matches: (head) => startsWith(ascii('GIF87a'))(head) || startsWith(ascii('GIF89a'))(head),
  },
  {
    type: 'image/webp',
    matches: (head) => startsWith(ascii('RIFF'))(head) && startsWith(ascii('WEBP'), 8)(head),
  },
  {
    type: 'application/zip',
    matches: startsWith([0x50, 0x4b, 0x03, 0x04]),
    // Office documents, EPUB, JAR and the like are zip files under their own names.
    alsoFits: (declared) =>
      /^application\/(vnd\.openxmlformats-officedocument\.|vnd\.oasis\.opendocument\.|epub\+zip|java-archive|x-zip-compressed)/.test(
        declared,
      ),
  },
  {
    type: 'application/gzip',
    matches: startsWith([0x1f, 0x8b]),
    alsoFits: (d) => d === 'application/x-gzip',
  },
  {
    type: 'video/mp4',
    matches: startsWith(ascii('ftyp'), 4),
    alsoFits: (declared) =>
      /^(video|audio)\//.test(declared) || /^image\/(heic|heif|avif)$/.test(declared),
  },
  {
    type: 'audio/ogg',
    matches: startsWith(ascii('OggS')),
    alsoFits: (d) => /^(audio|video)\/ogg$/.test(d),
  },
  {
    type: 'audio/mpeg',
    matches: (head) => startsWith(ascii('ID3'))(head) || startsWith([0xff, 0xfb])(head),
  },
];

/** Types a client may use for text: kept when the bytes are text. */
const TEXT_TYPES =
  /^(text\/|application\/(json|xml|javascript|x-yaml|yaml|x-ndjson|csv|sql)|image\/svg\+xml)/;

const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  // Valid UTF-8, allowing a character cut at the end of the sample.
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const replaced = decoded.split('\uFFFD').length - 1;
  return replaced <= 1;
}

export function decideContentType(declared: string, head: Buffer): ContentTypeDecision {
  const claimed = declared.split(';')[0]!.trim().toLowerCase();
  const signature = SIGNATURES.find((candidate) => candidate.matches(head));
  if (signature) {
    if (GENERIC.has(claimed) || claimed === signature.type || signature.alsoFits?.(claimed))
      return { ok: true, contentType: GENERIC.has(claimed) ? signature.type : claimed };
    return { ok: false, detected: signature.type };
  }
  const claimsKnownFormat = SIGNATURES.some(
    (candidate) => candidate.type === claimed || candidate.alsoFits?.(claimed),
  );
  if (looksLikeText(head)) {
    if (claimsKnownFormat) return { ok: false, detected: 'text/plain' };
    return { ok: true, contentType: TEXT_TYPES.test(claimed) ? claimed : 'text/plain' };
  }
  if (claimsKnownFormat || TEXT_TYPES.test(claimed))
    return { ok: false, detected: 'application/octet-stream' };
  return { ok: true, contentType: 'application/octet-stream' };
}
