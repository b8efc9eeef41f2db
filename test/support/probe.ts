import { Controller, Get, Module, Req } from '@nestjs/common';
import { AllowStatus } from '../../src/common/decorators/auth.decorators';
import { Public } from '../../src/common/decorators/public.decorator';
import type { AuthenticatedRequest } from '../../src/auth/guards/auth.guard';
import type { Principal } from '../../src/common/principal';

/** A protected route that returns whoever the guard attached: used to observe the guard from outside. */
@Controller('probe')
export class CurrentPrincipalProbe {
  @Get('whoami') whoami(@Req() req: AuthenticatedRequest): Principal | undefined {
    return req.principal;
  }
}

/** The own keys (in order) of the last request each route saw: whether requests keep one shape. */
export const requestShapes: { public?: Array<string | symbol>; authenticated?: Array<string | symbol> } = {};

@Controller('shape-probe')
export class RequestShapeProbe {
  @Public() @Get('public') public(@Req() req: object): { ok: true } {
    requestShapes.public = Reflect.ownKeys(req);
    return { ok: true };
  }

  @AllowStatus('pending_verification') @Get('authenticated') authenticated(@Req() req: object): { ok: true } {
    requestShapes.authenticated = Reflect.ownKeys(req);
    return { ok: true };
  }
}

@Module({ controllers: [RequestShapeProbe] })
export class RequestShapeProbeModule {}
