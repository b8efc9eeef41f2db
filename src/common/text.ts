/**
 * What free text Gatehouse stores may contain. Pure, shared by every DTO (through the decorators in validation.ts)
 * and by paths that take text outside HTTP.
 */

/** Lone surrogates: with the `u` flag only an unpaired half matches \p{Cs}. Postgres and encodeURI both choke on them. */
const LONE_SURROGATE = /\p{Cs}/u;
/** C0 and C1 controls (Unicode Cc): NUL (which Postgres refuses in text, once a 500), escape, bell, DEL … */
const CONTROL = /\p{Cc}/u;
/** Invisible format characters (Unicode Cf): zero-width space and joiners, BOM, soft hyphen, bidi controls. */
const INVISIBLE = /\p{Cf}/u;

export type TextProblem = 'not well-formed Unicode' | 'control characters' | 'invisible characters';

/** Well-formed Unicode with no control characters (tabs and newlines included: no field here is multi-line). */
export function textProblem(value: string): TextProblem | undefined {
  if (LONE_SURROGATE.test(value)) return 'not well-formed Unicode';
  if (CONTROL.test(value)) return 'control characters';
  return undefined;
}

/** textProblem, and no invisible characters either: for identifiers a person compares by eye (addresses). */
export function identifierProblem(value: string): TextProblem | undefined {
  return textProblem(value) ?? (INVISIBLE.test(value) ? 'invisible characters' : undefined);
}
