import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString } from 'class-validator';

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
