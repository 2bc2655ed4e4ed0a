import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, ValidateIf } from 'class-validator';

export class SubscribeUserDto {
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'integer' }],
    example: '123456789',
    description: 'Telegram chat id, or @channelusername',
  })
  @IsDefined({ message: 'chat_id is required' })
  chat_id!: string | number;

  @ApiProperty({ example: 'JohnDoe', maxLength: 256 })
  @IsDefined({ message: 'chat_name is required' })
  @IsString({ message: 'chat_name must be a string' })
  chat_name!: string;
}

/** PATCH /subscribers/:id: the subscriber's own time zone. */
export class ChangeSubscriberDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Europe/Berlin',
    description:
      "An IANA time zone (any letter case), for series sent at each recipient's local time; null clears it",
  })
  @ValidateIf((body: { time_zone?: unknown }) => body.time_zone !== null)
  @IsString({ message: 'time_zone must be an IANA time zone name, or null to clear it' })
  time_zone!: string | null;
}
