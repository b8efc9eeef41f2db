import { Controller, Get, Module } from '@nestjs/common';
import { AcceptIdToken, CurrentUser, OptionalAuth, Roles } from '../../src/common/decorators/auth.decorators';
import { Public } from '../../src/common/decorators/public.decorator';
import type { Principal } from '../../src/common/principal';

/** Routes that exercise each guard rule from outside, through real HTTP. */
@Controller('probe')
export class AuthProbeController {
  @Get('whoami') whoami(@CurrentUser() p: Principal): Principal {
    return p;
  }
  @Roles('admin') @Get('admin') admin(): { ok: true } {
    return { ok: true };
  }
  @Roles('admin', 'auditor') @Get('audit') audit(): { ok: true } {
    return { ok: true };
  }
  @AcceptIdToken() @Get('id-ok') idOk(@CurrentUser() p: Principal): Principal {
    return p;
  }
  @OptionalAuth() @Get('optional') optional(@CurrentUser() p?: Principal): { principal: Principal | null } {
    return { principal: p ?? null };
  }
  @Public() @Get('open') open(): { open: true } {
    return { open: true };
  }
}

@Module({ controllers: [AuthProbeController] })
export class AuthProbeModule {}
