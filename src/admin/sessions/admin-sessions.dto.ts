import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsPlainText } from '../../common/validation';
import { UserIdParam } from '../users/admin-users.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `:id` a user id and `:sid` a session id (the `sid` claim), both refused with 400 before any lookup otherwise. */
export class UserSessionParams extends UserIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsString() @IsPlainText() @Matches(UUID, { message: 'sid must be a session id' })
  sid!: string;
}
