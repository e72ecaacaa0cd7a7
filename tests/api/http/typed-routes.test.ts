/**
 * Route handlers read their input as the schemas produce it: the compiler refuses a handler that a
 * schema change broke, and the typed builders validate exactly as the Joi they wrap.
 */
import path from 'node:path';
import Joi from 'joi';
import ts from 'typescript';
import { nullable, object, oneOf, required, requiring, withDefault } from '../../../src/shared/typed-schema';

const ROOT = path.resolve(__dirname, '../../..');
/** Compiled as if they sat in a resource folder, beside the route files, so they import what those import. */
const PROBE_DIR = path.join(ROOT, 'src/api/typed-route-probe');

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options, noEmit: true, noUnusedLocals: false };
}

/**
 * The compiler's complaints about each probe, by name. Every probe is its own module of one
 * program: the type check of src they all lean on is the slow part, so it is done once for all.
 */
function typeErrorsOfEach(probes: Record<string, string>): Record<string, string[]> {
  const files = new Map(Object.entries(probes).map(([name, source]) => [path.join(PROBE_DIR, `${name}.ts`), source]));
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) => files.get(path.resolve(file)) ?? readFile(file);
  host.fileExists = (file) => files.has(path.resolve(file)) || fileExists(file);
  const program = ts.createProgram([...files.keys()], options, host);
  return Object.fromEntries(
    Object.keys(probes).map((name) => {
      // Without its file the compiler would answer the complaints about every file.
      const file = program.getSourceFile(path.join(PROBE_DIR, `${name}.ts`));
      if (!file) throw new Error(`the probe ${name} is not in the program`);
      return [name, ts.getPreEmitDiagnostics(program, file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))];
    }),
  );
}

/** A route whose body schema is `amountSchema` and whose handler uses the amount as a number. */
const routeWithAmount = (amountSchema: string) => `
import Joi from 'joi';
import { route } from '../http/route';
import { object, required } from '../../shared/typed-schema';
export const probe = route({
  method: 'post',
  path: '/probe',
  summary: 'probe',
  tag: 'probe',
  body: object({ amount: ${amountSchema}, note: Joi.string() }),
  response: { status: 200 },
  handler: async (ctx) => {
    ctx.body = { amount: ctx.state.input.body.amount.toFixed(2), note: ctx.state.input.body.note ?? null };
  },
});
`;

/** The real request schemas, read as their handlers read them. */
const realSchemas = `
import { fileClaimBody, listClaimsQuery } from '../claims/schemas';
import { createVersionBody } from '../compliance/schemas';
import { listPlansQuery } from '../catalog/plans/schemas';
import Joi from 'joi';
import { object, type Output } from '../../shared/typed-schema';
const filing: Output<typeof fileClaimBody> = { subscriptionId: 'x', incidentDate: new Date(), amountClaimed: 1, description: 'd' };
const list: Output<typeof listClaimsQuery> = { page: 1, pageSize: 20, ordering: '-createdAt', status: 'assigned' };
const version: Output<typeof createVersionBody> = { content: 'c', deadlineDays: null, audienceRoles: ['adjuster'] };
// @ts-expect-error a stage that does not exist
const badStage: Output<typeof listClaimsQuery> = { page: 1, pageSize: 20, ordering: 'createdAt', status: 'lost' };
// @ts-expect-error not a role
const badAudience: Output<typeof createVersionBody> = { content: 'c', audienceRoles: ['janitor'] };
// @ts-expect-error a key written inline (Joi.boolean()) keeps its type rather than becoming any
const badFilter: Output<typeof listPlansQuery> = { page: 1, pageSize: 20, ordering: 'premium', isActive: 'yes' };
// @ts-expect-error a key Joi cannot type must say its type instead of passing as any
const untyped = object({ anything: Joi.any() });
export { filing, list, version, badStage, badAudience, badFilter, untyped };
`;

describe('typed route input', () => {
  let errors: Record<string, string[]>;
  beforeAll(() => {
    errors = typeErrorsOfEach({
      numberAmount: routeWithAmount('required(Joi.number())'),
      stringAmount: routeWithAmount('required(Joi.string())'),
      optionalAmount: routeWithAmount('Joi.number()'),
      realSchemas,
    });
  });

  it('compiles a handler that reads its body as the schema produces it', () => {
    expect(errors.numberAmount).toEqual([]);
  });

  it('refuses to compile the handler once the schema changes under it', () => {
    expect(errors.stringAmount).toEqual([expect.stringContaining("Property 'toFixed' does not exist on type 'string'")]);
    expect(errors.optionalAmount).toEqual([expect.stringMatching(/possibly 'undefined'/)]);
  });

  it('types the real request schemas as their handlers use them', () => {
    expect(errors.realSchemas).toEqual([]);
  });
});

describe('typed schema builders', () => {
  const schema = object({
    name: required(Joi.string().trim().min(1)),
    level: withDefault(oneOf(['low', 'high'] as const), 'low'),
    managerId: nullable(Joi.string()),
  });

  it('validate as the Joi they wrap: required keys, defaults, allowed values and null', () => {
    expect(schema.validate({ name: ' Ann ' })).toEqual({ value: { name: 'Ann', level: 'low' } });
    expect(schema.validate({ name: 'Ann', level: 'high', managerId: null }).value).toEqual({ name: 'Ann', level: 'high', managerId: null });
    expect(schema.validate({}).error?.message).toBe('"name" is required');
    expect(schema.validate({ name: 'Ann', level: 'medium' }).error?.message).toBe('"level" must be one of [low, high]');
    expect(schema.validate({ name: 'Ann', extra: 1 }).error?.message).toBe('"extra" is not allowed');
  });

  it('requiring makes the named keys of an update body required and leaves the rest optional', () => {
    const create = object(requiring({ title: Joi.string(), note: Joi.string() }, ['title']));
    expect(create.validate({ note: 'n' }).error?.message).toBe('"title" is required');
    expect(create.validate({ title: 't' }).error).toBeUndefined();
  });
});
