import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ACCESS_EXTENSION } from '../openapi/api-contract.decorators';

export const IS_PUBLIC = 'gatehouse:public';

/**
 * Opts a route out of the global authentication guard. Everything else is closed by default. The OpenAPI operation
 * is marked too, so the document shows no bearer requirement on it (common/openapi/error-contract.ts).
 */
export const Public = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(ACCESS_EXTENSION, 'public'));
