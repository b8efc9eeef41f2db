import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/**
 * Where a hosted sign-in lands, by name from a closed list (never a URL, so the callback cannot become an open
 * redirect): `console` is Gatehouse's own admin console (PUBLIC_URL/admin/); absent, FRONTEND_URL.
 */
export const HOSTED_RETURNS = ['console'] as const;
export type HostedReturn = (typeof HOSTED_RETURNS)[number];

export class HostedLoginQuery {
  @ApiPropertyOptional({ enum: HOSTED_RETURNS, description: 'Where to land after the callback (default: FRONTEND_URL)' })
  @IsOptional()
  @IsIn(HOSTED_RETURNS)
  returnTo?: HostedReturn;
}
