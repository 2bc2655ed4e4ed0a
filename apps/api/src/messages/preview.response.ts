import { ApiProperty } from '@nestjs/swagger';

/** A preview sent: where, for whom, and the text as it went. */
export class PreviewResponse {
  @ApiProperty({ example: '123456789' })
  chat_id!: string;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: "Whose values filled the template; null when the chat is no subscriber's",
  })
  target_user_id!: string | null;

  @ApiProperty({ description: 'The text sent, its template filled in' })
  text!: string;

  @ApiProperty({ description: "Telegram's id of the message sent" })
  telegram_message_id!: number;
}
