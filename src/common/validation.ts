import { applyDecorators, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { canonicalEmail, emailProblem } from './email';
import { textProblem } from './text';
import { ValidationFailedError } from './errors/app-error';

/** At most this many fields are named in a VALIDATION_FAILED answer: the answer must not grow with the request. */
const MAX_REPORTED_FIELDS = 20;

/** Flattens class-validator's tree into `{ "a.b": ["must be …"] }`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    if (Object.keys(out).length >= MAX_REPORTED_FIELDS) break;
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children?.length) Object.assign(out, flattenValidationErrors(e.children, path));
  }
  return out;
}

/** Whitelist and forbid unknown fields: a typo or an injected `role` field is a 400, never silently ignored. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}

export const IS_PLAIN_TEXT = 'isPlainText';
export const IS_EMAIL_ADDRESS = 'isEmailAddress';

/**
 * Every free-text string field of every DTO carries this: well-formed Unicode, no control characters. A NUL once
 * reached Postgres as a 500 for new addresses while existing ones got 202 (an oracle); now both are a 400 before any
 * lookup. Non-strings pass here and are left to @IsString.
 */
export function IsPlainText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_PLAIN_TEXT,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || textProblem(value) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'value'} must not contain ${typeof args?.value === 'string' ? textProblem(args.value) : 'control characters'}`,
      },
    },
    options,
  );
}

/**
 * An address field: canonicalised (trim, NFC, lower-case) before validation, then checked by the one address rule
 * (emailProblem), so every DTO, the admin port and the CLI agree on what one address is.
 */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? canonicalEmail(value) : value)),
    ValidateBy(
      {
        name: IS_EMAIL_ADDRESS,
        validator: {
          validate: (value: unknown) => typeof value === 'string' && emailProblem(value) === undefined,
          defaultMessage: (args) => (typeof args?.value === 'string' ? emailProblem(args.value) : undefined) ?? 'email must be an email address',
        },
      },
      options,
    ),
  );
}
