import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { MAX_EMAIL_LENGTH } from '../../common/email';
import { IsEmailAddress, IsPlainText } from '../../common/validation';

/*
 * Every string field is @IsPlainText (well-formed, no control characters) and every address @IsEmailAddress (the one
 * canonical form: trimmed, NFC, lower-case; no quoted local parts or invisible characters). dto-rules.spec.ts checks
 * that no string field of any DTO is without one of the two.
 */

/**
 * Passwords are capped well above any real passphrase but far below what would make hashing a denial of service;
 * the password policy itself (minimum length …) is the provider's and answers PASSWORD_POLICY.
 */
const MAX_PASSWORD = 1024;

export class EmailDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: MAX_EMAIL_LENGTH })
  @IsEmailAddress()
  email!: string;
}

export class RegisterDto extends EmailDto {
  @ApiProperty({ minLength: 8, maxLength: MAX_PASSWORD })
  @IsString()
  @IsPlainText()
  @IsNotEmpty()
  @MaxLength(MAX_PASSWORD)
  password!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsPlainText()
  @MaxLength(200)
  fullName?: string;
}

export class LoginDto extends EmailDto {
  @ApiProperty({ maxLength: MAX_PASSWORD })
  @IsString()
  @IsPlainText()
  @IsNotEmpty()
  @MaxLength(MAX_PASSWORD)
  password!: string;
}

export class ConfirmEmailDto extends EmailDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @IsPlainText()
  @Matches(/^\s*\d{6}\s*$/, { message: 'code must be the 6-digit code from the mail' })
  code!: string;
}

export class ConfirmEmailLinkQuery {
  @ApiProperty()
  @IsString()
  @IsPlainText()
  @Matches(/^[A-Za-z0-9_-]{20,100}$/, { message: 'token must be the token from the mailed link' })
  token!: string;
}

export class MfaChallengeDto {
  @ApiProperty({ description: 'The `session` from the login answer' })
  @IsString()
  @IsPlainText()
  @IsNotEmpty()
  @MaxLength(4096)
  session!: string;

  @ApiProperty({ description: 'A 6-digit TOTP code or a recovery code (or, for NEW_PASSWORD_REQUIRED, the new password)' })
  @IsString()
  @IsPlainText()
  @IsNotEmpty()
  @MaxLength(MAX_PASSWORD)
  code!: string;

  @ApiPropertyOptional({ description: 'Optional: checked against the session when given' })
  @IsOptional()
  @IsEmailAddress()
  email?: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @IsPlainText()
  @IsNotEmpty()
  @MaxLength(8192)
  refreshToken!: string;
}

export class MfaCodeDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @IsPlainText()
  @Matches(/^\s*\d{6}\s*$/, { message: 'code must be a 6-digit code from the authenticator app' })
  code!: string;
}

/** Changing an enabled second factor (replace, remove): the current TOTP code or a recovery code. */
export class MfaProofDto {
  @ApiPropertyOptional({ example: '123456', description: 'A current 6-digit TOTP code or a recovery code; required to replace or remove an enabled factor (local provider)' })
  @IsOptional()
  @IsString()
  @IsPlainText()
  @Matches(/^\s*(\d{6}|[0-9A-Za-z]{4}(-?[0-9A-Za-z]{4}){3})\s*$/, { message: 'code must be a 6-digit code or a recovery code' })
  code?: string;
}

export class ResetPasswordDto extends EmailDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @IsPlainText()
  @Matches(/^\s*\d{6}\s*$/, { message: 'code must be the 6-digit code from the mail' })
  code!: string;

  @ApiProperty({ minLength: 8, maxLength: MAX_PASSWORD })
  @IsString()
  @IsPlainText()
  @IsNotEmpty()
  @MaxLength(MAX_PASSWORD)
  newPassword!: string;
}

export class TokenSetDto {
  @ApiProperty() accessToken!: string;
  @ApiPropertyOptional() refreshToken?: string;
  @ApiPropertyOptional() idToken?: string;
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
}

export class ChallengeDto {
  @ApiProperty({ enum: ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'NEW_PASSWORD_REQUIRED'] }) challenge!: string;
  @ApiProperty({ description: "Pass back to POST /auth/mfa/challenge soon (local provider: 5 minutes; Cognito: the app client's session duration, 3 minutes by default)" })
  session!: string;
}

export class AcceptedDto {
  @ApiProperty({ enum: ['accepted'] }) status!: 'accepted';
  @ApiProperty() message!: string;
}

export class MfaEnrollmentDto {
  @ApiProperty({ description: 'Base32 secret, for manual entry' }) secret!: string;
  @ApiProperty({ description: 'otpauth:// URL, for a QR code' }) otpauthUrl!: string;
}

export class MfaEnabledDto {
  @ApiProperty() enabled!: true;
  @ApiPropertyOptional({ type: [String], description: 'Shown once: ten single-use recovery codes' }) recoveryCodes?: string[];
}

export class RecoveryCodesDto {
  @ApiProperty({ type: [String] }) recoveryCodes!: string[];
}
