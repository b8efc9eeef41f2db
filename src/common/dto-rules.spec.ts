import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { IS_EMAIL_ADDRESS, IS_PLAIN_TEXT } from './validation';

/** Every `*.dto.ts` under src. */
function dtoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return dtoFiles(path);
    return name.endsWith('.dto.ts') ? [path] : [];
  });
}

/** Constraint names per property of a class, as class-validator will run them (inherited ones included). */
function constraintsOf(target: new () => unknown): Map<string, Set<string>> {
  const storage = getMetadataStorage();
  const out = new Map<string, Set<string>>();
  for (const m of storage.getTargetValidationMetadatas(target, '', true, false)) {
    const names = m.constraintCls ? storage.getTargetValidatorConstraints(m.constraintCls).map((c) => c.name ?? '') : [m.name ?? m.type];
    const set = out.get(m.propertyName) ?? new Set<string>();
    for (const n of names) set.add(n);
    out.set(m.propertyName, set);
  }
  return out;
}

describe('DTO rules: every string field of every DTO is checked for control characters and malformed Unicode', () => {
  const classes: Array<{ name: string; cls: new () => unknown }> = [];
  beforeAll(async () => {
    for (const file of dtoFiles(join(__dirname, '..'))) {
      const exported = (await import(file)) as Record<string, unknown>;
      for (const [name, cls] of Object.entries(exported)) {
        if (typeof cls === 'function') classes.push({ name: `${file.split('/src/')[1]}#${name}`, cls: cls as new () => unknown });
      }
    }
  });

  it('finds the DTOs (the scan itself works)', () => {
    expect(classes.map((c) => c.name)).toEqual(expect.arrayContaining([expect.stringMatching(/auth\.dto\.ts#RegisterDto$/)]));
  });

  it('each validated string field carries IsPlainText or IsEmailAddress; none uses the bare IsEmail', () => {
    const missing: string[] = [];
    for (const { name, cls } of classes) {
      for (const [property, constraints] of constraintsOf(cls)) {
        if (constraints.has('isEmail')) missing.push(`${name}.${property}: use @IsEmailAddress, not @IsEmail`);
        const isText = constraints.has('isString') || constraints.has(IS_EMAIL_ADDRESS);
        if (isText && !constraints.has(IS_PLAIN_TEXT) && !constraints.has(IS_EMAIL_ADDRESS)) missing.push(`${name}.${property}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
