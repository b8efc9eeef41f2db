import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/principal';
import { CredentialThrottlerGuard } from '../../auth';

/**
 * The throttler for POST /admin/provider/test, keyed on the acting admin rather than the address: each run makes
 * about twenty calls to the provider with Gatehouse's own credentials, and an admin behind a shared egress must not
 * spend another's budget. Runs after the global AuthGuard, so the principal is there.
 */
@Injectable()
export class ProviderTestThrottlerGuard extends CredentialThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = req.principal as Principal | undefined;
    return principal ? Promise.resolve(`admin:${principal.userId}`) : super.getTracker(req);
  }
}
