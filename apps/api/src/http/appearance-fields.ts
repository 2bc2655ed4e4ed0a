import type { SchemaObject } from '@nestjs/swagger';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';
import type { ButtonRows, MessageSendOptions, UrlButton } from '../../../../libs/domain/src/events';
import { PARSE_MODES, type ParseMode } from '../../../../libs/domain/src/formatting';

/**
 * The form fields of how Telegram shows a message, as POST /schedule-message and POST /series
 * take them (the domain checks what Telegram would refuse).
 */
export const APPEARANCE_FIELDS = [
  'send_as',
  'as_album',
  'parse_mode',
  'delete_after',
  'disable_notification',
  'protect_content',
  'message_thread_id',
  'link_preview',
  'buttons',
] as const;

type AppearanceFields = Partial<Record<(typeof APPEARANCE_FIELDS)[number], string>>;

/** The fields' OpenAPI descriptions, for the routes' multipart bodies. */
export const APPEARANCE_FIELD_SCHEMAS: Record<(typeof APPEARANCE_FIELDS)[number], SchemaObject> = {
  parse_mode: {
    type: 'string',
    enum: ['plain', 'HTML', 'MarkdownV2'],
    description:
      "How Telegram reads the text's markup: plain (the default: shown as written), HTML or MarkdownV2. Markup Telegram cannot read is refused with its offset (INVALID_FORMATTING)",
    example: 'HTML',
  },
  send_as: {
    type: 'string',
    enum: ['documents', 'media'],
    description:
      'How the files go: documents (the default: every file as a document, untouched), or media (JPEG and PNG images as photos, MP4 videos as videos, MP3 and M4A audio as audio, the rest as documents)',
    example: 'media',
  },
  delete_after: {
    type: 'string',
    description:
      'Seconds after the message falls due when it is deleted from every chat (1 to 169200, 47 hours: Telegram lets a bot delete what it sent for 48)',
    example: '3600',
  },
  disable_notification: {
    type: 'string',
    enum: ['true', 'false'],
    description: 'true: delivered silently (the recipient gets no sound)',
  },
  protect_content: {
    type: 'string',
    enum: ['true', 'false'],
    description: 'true: the recipient cannot forward or save the text and files',
  },
  message_thread_id: {
    type: 'string',
    description: 'The forum topic (message thread) of a supergroup to post in',
    example: '42',
  },
  link_preview: {
    type: 'string',
    description:
      "on (Telegram's default: a preview of the text's first link), off, or the http(s) URL of the page to preview",
    example: 'off',
  },
  as_album: {
    type: 'string',
    enum: ['true', 'false'],
    description:
      'true: two to ten files Telegram groups together (photos and videos, audio, documents) go as one album, more than ten as albums of at most ten; the text is the caption of the first album (at most 1024 characters), or, with buttons, follows in its own message with them (an album cannot carry buttons)',

    example: 'true',
  },
  buttons: {
    type: 'string',
    description:
      'JSON: rows of URL buttons under the text, each {"text", "url"} (http, https or tg); 1 to 8 a row, 100 in all',
    example: '[[{"text":"Read more","url":"https://example.com/notes"}]]',
  },
};

/** The send options of the form; Telegram's defaults for those not given. */
export function sendOptionsOf(fields: AppearanceFields): MessageSendOptions {
  const flag = (field: 'disable_notification' | 'protect_content' | 'as_album'): boolean => {
    const value = fields[field]?.trim().toLowerCase() ?? '';
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    throw new DomainError(DomainErrorCode.InvalidSendOption, `${field} takes true or false`, {
      field,
    });
  };
  const thread = fields.message_thread_id?.trim() ?? '';
  if (thread !== '' && !/^\d{1,10}$/.test(thread)) {
    throw new DomainError(
      DomainErrorCode.InvalidSendOption,
      'message_thread_id is the id of a forum topic: a whole number',
      { field: 'message_thread_id' },
    );
  }
  return {
    disableNotification: flag('disable_notification'),
    protectContent: flag('protect_content'),
    messageThreadId: thread === '' ? null : Number(thread),
    linkPreview: linkPreviewOf(fields.link_preview ?? ''),
    parseMode: parseModeOf(fields.parse_mode ?? ''),
    deleteAfter: deleteAfterOf(fields.delete_after ?? ''),
    sendAs: sendAsOf(fields.send_as ?? ''),
    asAlbum: flag('as_album'),
  };
}

/** `documents` (or nothing) or `media`, in any case. */
export function sendAsOf(value: string): MessageSendOptions['sendAs'] {
  const sendAs = value.trim().toLowerCase();
  if (sendAs === '' || sendAs === 'documents') return 'documents';
  if (sendAs === 'media') return 'media';
  throw new DomainError(DomainErrorCode.InvalidSendOption, 'send_as takes documents or media', {
    field: 'send_as',
  });
}

/** Whole seconds, or nothing; the domain checks the range. */
function deleteAfterOf(value: string): number | null {
  const seconds = value.trim();
  if (seconds === '') return null;
  if (!/^\d{1,9}$/.test(seconds)) {
    throw new DomainError(
      DomainErrorCode.InvalidSendOption,
      'delete_after is a whole number of seconds',
      { field: 'delete_after' },
    );
  }
  return Number(seconds);
}

/**
 * `plain` (or nothing), `HTML` or `MarkdownV2`, in any case, as the Bot API takes them. The
 * Bot API's legacy `Markdown` is not taken: it cannot show every character (MarkdownV2 can).
 */
export function parseModeOf(value: string): ParseMode {
  const mode = value.trim().toLowerCase();
  const known = PARSE_MODES.find((parseMode) => parseMode.toLowerCase() === mode);
  if (mode === '') return 'plain';
  if (known) return known;
  throw new DomainError(
    DomainErrorCode.InvalidSendOption,
    mode === 'markdown'
      ? 'parse_mode Markdown (the legacy mode) is not taken: use MarkdownV2 or HTML'
      : `parse_mode takes ${PARSE_MODES.join(', ')}`,
    { field: 'parse_mode' },
  );
}

/** `on` (or nothing), `off`, or the URL to preview (the domain checks it is one). */
export function linkPreviewOf(value: string): MessageSendOptions['linkPreview'] {
  const preview = value.trim();
  const lowered = preview.toLowerCase();
  return lowered === '' || lowered === 'on' ? 'on' : lowered === 'off' ? 'off' : { url: preview };
}

/** The `buttons` field's rows of {text, url}; the domain checks Telegram's limits. */
export function buttonsOf(fields: AppearanceFields): ButtonRows {
  const raw = fields.buttons?.trim() ?? '';
  if (raw === '') return [];
  let rows: unknown;
  try {
    rows = JSON.parse(raw);
  } catch {
    rows = undefined;
  }
  return buttonRowsOf(rows);
}

/** Rows of {text, url} as given (a form's parsed JSON, or a JSON body's value). */
export function buttonRowsOf(rows: unknown): ButtonRows {
  const isButton = (button: unknown): button is UrlButton =>
    typeof button === 'object' &&
    button !== null &&
    typeof (button as UrlButton).text === 'string' &&
    typeof (button as UrlButton).url === 'string';
  if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row) && row.every(isButton))) {
    throw new DomainError(
      DomainErrorCode.InvalidButtons,
      'buttons is JSON: rows (arrays) of {"text": "…", "url": "…"}, e.g. [[{"text":"Open","url":"https://example.com"}]]',
      { field: 'buttons' },
    );
  }
  return rows.map((row: UrlButton[]) => row.map(({ text, url }) => ({ text, url })));
}
