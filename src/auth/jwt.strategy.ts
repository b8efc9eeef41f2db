import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest as Request } from 'fastify';
import { Strategy } from 'passport-jwt';
import { TokenVerifier } from './tokens/token-verifier';
import type { VerifiedToken } from './tokens/verified-token';

export const JWT_STRATEGY = 'gatehouse-jwt';

/** The bearer token the guard already extracted and length-checked. */
export type RequestWithToken = Request & { gatehouseToken?: string };

/**
 * passport-jwt as the REST adapter of the one TokenVerifier: the key provider runs the verifier's pre-signature
 * steps (trusted issuer, its algorithm, its key by kid), passport-jwt runs jsonwebtoken with the verifier's options,
 * and `validate` applies the verifier's claim rules. The socket gateway calls TokenVerifier.verify, the same steps.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(private readonly verifier: TokenVerifier) {
    const opts = verifier.verifyOptions();
    super({
      jwtFromRequest: (req: RequestWithToken) => req.gatehouseToken ?? null,
      secretOrKeyProvider: (_req: Request, rawJwt: string, done: (err: unknown, key?: string | Buffer) => void) => {
        verifier.resolveKey(rawJwt).then(
          // jsonwebtoken takes a KeyObject (and checks its type against the algorithm); the typings predate that.
          ({ key }) => done(null, key as unknown as Buffer),
          (err: unknown) => done(err),
        );
      },
      algorithms: opts.algorithms,
      issuer: opts.issuer,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: opts.clockTolerance },
      passReqToCallback: true,
    });
  }

  validate(req: RequestWithToken, payload: Record<string, unknown>): VerifiedToken {
    return this.verifier.acceptPayload(req.gatehouseToken ?? '', payload);
  }
}
