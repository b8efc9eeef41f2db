import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsPlainText } from '../../common/validation';

/** `:sid` is a session id (a uuid: the `sid` claim of local access tokens), refused with 400 before any lookup otherwise. */
export class SessionIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsString() @IsPlainText() @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'sid must be a session id' })
  sid!: string;
}

export class SessionDto {
  @ApiProperty({ format: 'uuid', description: 'The `sid` claim its access tokens carry' }) id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'User agent of the sign-in that began it' }) device!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Client address of its latest token' }) ip!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Its latest refresh (access-token use is not recorded)' }) lastUsedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ description: 'The session of the token this request came with' }) current!: boolean;
}

export class SessionListDto {
  @ApiProperty({ enum: ['local', 'cognito', 'oidc'] }) provider!: string;
  @ApiProperty({ description: 'false: the provider cannot list sessions (see `note`)' }) listed!: boolean;
  @ApiProperty({ type: [SessionDto] }) sessions!: SessionDto[];
  @ApiPropertyOptional({ description: 'What the provider cannot tell' }) note?: string;
}
