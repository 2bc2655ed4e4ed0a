import { ApiProperty } from '@nestjs/swagger';
import type { ButtonRows, MessageSendOptions } from '../../../../libs/domain/src/events';

/** How Telegram shows a message (or each occurrence of a series): the options and buttons set. */
export class AppearanceResponse {
  @ApiProperty({
    description: "How Telegram reads the text's markup (parse_mode): plain, HTML or MarkdownV2",
    enum: ['plain', 'HTML', 'MarkdownV2'],
    example: 'plain',
  })
  parse_mode!: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Seconds after it fell due when it is deleted from every chat (delete_after); null: it stays',
  })
  delete_after!: number | null;

  @ApiProperty({
    enum: ['documents', 'media'],
    description: 'How the files go (send_as): each as a document, or as a photo, video or audio',
  })
  send_as!: string;

  @ApiProperty({
    description:
      'Files Telegram groups together go as albums (as_album), the text the first album’s caption unless there are buttons',
  })
  as_album!: boolean;

  @ApiProperty({ description: 'Delivered silently (disable_notification)' })
  disable_notification!: boolean;

  @ApiProperty({ description: 'Protected from forwarding and saving (protect_content)' })
  protect_content!: boolean;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The forum topic it is posted in (message_thread_id); null for none',
  })
  message_thread_id!: number | null;

  @ApiProperty({
    description: 'The link preview: on (Telegram shows the first link), off, or the URL previewed',
    example: 'on',
  })
  link_preview!: string;

  @ApiProperty({
    description: 'Rows of URL buttons under the text, each {text, url}; empty for none',
    example: [[{ text: 'Read more', url: 'https://example.com/notes' }]],
    type: 'array',
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { text: { type: 'string' }, url: { type: 'string' } },
        required: ['text', 'url'],
      },
    },
  })
  buttons!: { text: string; url: string }[][];
}

export function toAppearanceResponse(
  options: MessageSendOptions,
  buttons: ButtonRows,
): AppearanceResponse {
  return {
    parse_mode: options.parseMode,
    delete_after: options.deleteAfter,
    send_as: options.sendAs,
    as_album: options.asAlbum,
    disable_notification: options.disableNotification,
    protect_content: options.protectContent,
    message_thread_id: options.messageThreadId,
    link_preview:
      typeof options.linkPreview === 'object' ? options.linkPreview.url : options.linkPreview,
    buttons: buttons.map((row) => row.map(({ text, url }) => ({ text, url }))),
  };
}
