import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsDefined, IsInt, IsOptional, IsString } from 'class-validator';

/** POST /messages/preview: a message as it would be scheduled, and the chat to send it to now. */
export class PreviewMessageDto {
  @ApiProperty({
    example: '123456789',
    description: "The chat to send the preview to now: the sender's own",
  })
  @IsDefined({ message: 'chat_id is required' })
  chat_id!: unknown;

  @ApiProperty({ example: '<b>Hi {{first_name}}</b>, your report is ready' })
  @IsDefined({ message: 'message is required' })
  @IsString({ message: 'message must be a string' })
  message!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "Whose values fill the template's variables; the subscriber of chat_id when not given",
  })
  @IsOptional()
  @IsString({ message: 'target_user_id must be a string' })
  target_user_id?: string;

  @ApiPropertyOptional({ enum: ['plain', 'HTML', 'MarkdownV2'], example: 'HTML' })
  @IsOptional()
  @IsString({ message: 'parse_mode must be plain, HTML or MarkdownV2' })
  parse_mode?: string;

  @ApiPropertyOptional({ description: 'on, off, or the http(s) URL of the page to preview' })
  @IsOptional()
  @IsString({ message: 'link_preview must be on, off or a URL' })
  link_preview?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'disable_notification must be true or false' })
  disable_notification?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'protect_content must be true or false' })
  protect_content?: boolean;

  @ApiPropertyOptional({ type: Number, example: 42 })
  @IsOptional()
  @IsInt({ message: 'message_thread_id must be a whole number' })
  message_thread_id?: number;

  @ApiPropertyOptional({
    description: 'Rows of URL buttons under the text, each {"text", "url"}',
    example: [[{ text: 'Open', url: 'https://example.com/report' }]],
  })
  @IsOptional()
  @IsArray({ message: 'buttons must be rows (arrays) of {"text", "url"}' })
  buttons?: unknown[];
}
