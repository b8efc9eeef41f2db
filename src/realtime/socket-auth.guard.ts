import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Authenticator, type RouteRules } from '../auth';
import { ALLOW_STATUS_KEY, ROLES_KEY } from '../common/decorators/auth.decorators';
import { IS_PUBLIC } from '../common/decorators/public.decorator';
import type { UserStatus } from '../common/user-status';
import type { Role } from '../config/config.types';
import type { RealtimeSocket } from './socket-state';

/**
 * @Roles and @AllowStatus on @SubscribeMessage handlers (the global HTTP guard does not reach gateways). Every
 * message re-admits the socket's token under the handler's rules through the one Authenticator (synchronously when
 * cached), so a role or status is judged as of now, not as of the handshake. @Public() skips it (token.refresh
 * brings its own credential). A refusal is thrown as the AppError, which SocketErrorFilter sends as the ack.
 */
@Injectable()
export class SocketAuthGuard implements CanActivate {
  private readonly rules = new WeakMap<object, RouteRules>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'ws') return true;
    const rules = this.rulesOf(context);
    if (rules.public) return true;
    const socket = context.switchToWs().getClient<RealtimeSocket>();
    const { verified } = socket.data;
    const site = { id: socket.id };
    if (this.authenticator.cachedVerified(verified, rules, site)) return true;
    return this.authenticator.readmit(verified, rules, site).then(() => true);
  }

  private rulesOf(context: ExecutionContext): RouteRules {
    const handler = context.getHandler();
    let rules = this.rules.get(handler);
    if (!rules) {
      const targets = [handler, context.getClass()];
      rules = Object.freeze({
        public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        allowStatus: this.reflector.getAllAndOverride<UserStatus[]>(ALLOW_STATUS_KEY, targets) ?? [],
        roles: this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets),
      });
      this.rules.set(handler, rules);
    }
    return rules;
  }
}
