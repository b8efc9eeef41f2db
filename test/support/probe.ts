import { Controller, Get, Req } from '@nestjs/common';
import type { AuthenticatedRequest } from '../../src/auth/guards/auth.guard';
import type { Principal } from '../../src/common/principal';

/** A protected route that returns whoever the guard attached: used to observe the guard from outside. */
@Controller('probe')
export class CurrentPrincipalProbe {
  @Get('whoami') whoami(@Req() req: AuthenticatedRequest): Principal | undefined {
    return req.principal;
  }
}
