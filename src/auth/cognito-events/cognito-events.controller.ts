import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../../common/decorators/public.decorator';
import { AuthenticationError, NotFoundError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.types';
import { CognitoEventsService, EventOutcome } from './cognito-events.service';

/** The header an EventBridge connection of type API_KEY sends (its name and value are set on the connection). */
export const EVENTS_SECRET_HEADER = 'x-gatehouse-events-secret';

const digest = (v: string | Buffer): Buffer => createHash('sha256').update(v).digest();

/**
 * The way in for Cognito changes made outside Gatehouse: an EventBridge rule on CloudTrail's cognito-idp events calls
 * this through an API destination. Public to the JWT guard (EventBridge has no user token) and authenticated by a
 * shared secret instead, compared in constant time (both sides hashed first, so lengths leak nothing either).
 */
@ApiExcludeController()
@Controller('hooks')
export class CognitoEventsController {
  private readonly secret?: Buffer;

  constructor(
    private readonly events: CognitoEventsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secret = config.auth.cognito?.eventsSecret ? digest(config.auth.cognito.eventsSecret) : undefined;
  }

  @Public()
  @Post('cognito-events')
  @HttpCode(202)
  receive(@Headers(EVENTS_SECRET_HEADER) presented: string | undefined, @Body() body: unknown): Promise<EventOutcome> {
    if (!this.secret) throw new NotFoundError();
    if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), this.secret)) {
      throw new AuthenticationError('AUTH_TOKEN_INVALID', 'cognito events: missing or wrong shared secret');
    }
    return this.events.handle(body);
  }
}
