import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * Helpers for the offline Terraform tests: the module parsed with HashiCorp's own HCL parser (compiled to WASM in
 * @cdktf/hcl2json, no provider download), and the AWS calls the code makes, read from the code's syntax tree.
 */

export const ROOT = join(__dirname, '..', '..', '..');

/**
 * Loaded untyped on purpose: the package's typings carry `/// <reference lib="dom" />`, which would put the DOM's
 * fetch and Body types into the whole program and break Node-typed code elsewhere. Its one function, typed here.
 */
const { parse } = createRequire(__filename)('@cdktf/hcl2json') as { parse: (file: string, text: string) => Promise<Record<string, unknown>> };

/** hcl2json's JSON: every block is a list of bodies; expressions are strings like "${var.x}". */
export type Body = Record<string, unknown>;
export interface TfModule {
  resource: Record<string, Record<string, Body[]>>;
  data: Record<string, Record<string, Body[]>>;
  variable: Record<string, Body[]>;
  output: Record<string, Body[]>;
  locals: Body[];
  module: Record<string, Body[]>;
  terraform: Body[];
}

/** Every .tf file of one directory (not its subdirectories), merged as Terraform merges them. */
export async function loadModule(dir: string): Promise<TfModule> {
  const merged: TfModule = { resource: {}, data: {}, variable: {}, output: {}, locals: [], module: {}, terraform: [] };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const part = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as Partial<TfModule>;
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(part[kind] ?? {})) merged[kind][type] = { ...merged[kind][type], ...byName };
    }
    Object.assign(merged.variable, part.variable ?? {});
    Object.assign(merged.output, part.output ?? {});
    Object.assign(merged.module, part.module ?? {});
    merged.locals.push(...(part.locals ?? []));
    merged.terraform.push(...(part.terraform ?? []));
  }
  return merged;
}

/** The one resource of a type the module declares (the tests expect exactly one). */
export function only(m: TfModule, kind: 'resource' | 'data', type: string): { name: string; body: Body } {
  const entries = Object.entries(m[kind][type] ?? {});
  if (entries.length !== 1) throw new Error(`expected one ${kind} ${type}, found ${entries.length}`);
  const [name, bodies] = entries[0]!;
  return { name, body: bodies[0]! };
}

/** A nested block's bodies (`schema`, `password_policy`, …); [] when absent. */
export const blocks = (body: Body, name: string): Body[] => (Array.isArray(body[name]) ? (body[name] as Body[]) : []);

/** `dynamic "name"` blocks: each with its for_each and content bodies. */
export function dynamics(body: Body, name: string): { forEach: unknown; content: Body }[] {
  const out: { forEach: unknown; content: Body }[] = [];
  // hcl2json gives `dynamic` as one object keyed by block name (or a list of them when split across the body).
  const all = Array.isArray(body.dynamic) ? (body.dynamic as Body[]) : body.dynamic ? [body.dynamic as Body] : [];
  for (const d of all) for (const b of blocks(d, name)) out.push({ forEach: b.for_each, content: blocks(b, 'content')[0] ?? {} });
  return out;
}

export function local(m: TfModule, name: string): unknown {
  const found = m.locals.find((l) => Object.hasOwn(l, name));
  if (!found) throw new Error(`no local ${name}`);
  return found[name];
}

/** Every AWS operation the code constructs a command for: `new XxxCommand(…)` with XxxCommand imported from `pkg`. */
export function operationsCalled(pkg: string, dir = join(ROOT, 'src')): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes(pkg)) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const imported = new Map<string, string>(); // local name → exported name
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || st.moduleSpecifier.text !== pkg) continue;
      const named = st.importClause?.namedBindings;
      if (named && ts.isNamedImports(named)) for (const el of named.elements) imported.set(el.name.text, (el.propertyName ?? el.name).text);
    }
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
        const exported = imported.get(node.expression.text);
        if (exported?.endsWith('Command')) {
          const op = exported.slice(0, -'Command'.length);
          found.set(op, [...(found.get(op) ?? []), relative(ROOT, file)]);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** "${var.x}" → "var.x"; anything else unchanged. */
export const expr = (v: unknown): unknown => (typeof v === 'string' && /^\$\{[\s\S]*\}$/.test(v) ? v.slice(2, -1).trim() : v);
