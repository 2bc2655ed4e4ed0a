import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString } from 'class-validator';

export class RescheduleMessageDto {
  @ApiProperty({
    example: '2030-02-01T09:30:00Z',
    description: 'ISO 8601; UTC when no zone is given',
  })
  @IsDefined({ message: 'scheduled_timestamp is required' })
  @IsString({ message: 'scheduled_timestamp must be a string' })
  scheduled_timestamp!: string;
}
