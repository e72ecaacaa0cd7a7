/** The OpenAPI 3 document, generated from the same route specs and Joi schemas that validate requests. */
import type Joi from 'joi';
import j2s from 'joi-to-swagger';
import { rolesOf } from '../../access/verbs';
import { keptForPeople } from '../http/mount';
import { IDEMPOTENCY_KEY_FORMAT } from '../http/middleware/idempotency';
import { requestSchemaOf } from './request-schema';
import { acceptsIdempotencyKey, type RouteSpec, type SecretAnswer } from '../http/route';
import { API_PREFIX } from '../http/paths';

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object' } },
        requestId: { type: 'string' },
      },
    },
  },
};

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input (details name each field)',
  '401': 'Missing, invalid or expired access token (or, on the auth routes, wrong credentials)',
  '403': 'The role may not act, or a business rule refuses it',
  '404': 'Not found, or not visible to the caller',
  '405': 'Method not served on this path',
  '409': 'Conflict: illegal transition, duplicate, or an Idempotency-Key still in use',
  '413': 'Body too large',
  '415': 'Body is not JSON',
  '422': 'Well-formed but refused (e.g. Idempotency-Key reused with another request, amount out of range)',
  '429': 'Rate limited (Retry-After)',
  '503': 'A dependency (PostgreSQL, Temporal, the S3 document store) is unavailable (Retry-After)',
  '504': 'The outcome is unknown: repeat with the same Idempotency-Key (Retry-After)',
};

/** The error statuses an operation can answer: every one goes through the same error handler. */
function errorStatusesOf(spec: RouteSpec): string[] {
  const bodyErrors = spec.body ? ['413', '415'] : [];
  const gone = spec.gone ? ['410'] : [];
  return ['400', '401', '403', '404', '405', '409', ...gone, ...bodyErrors, '422', '429', '503', '504'];
}

function parametersOf(schema: Joi.ObjectSchema | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const swagger = requestSchemaOf(schema);
  const properties = (swagger.properties ?? {}) as Record<string, object>;
  const required = (swagger.required ?? []) as string[];
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.includes(name),
    schema: property,
  }));
}

/** What a repeat with the same Idempotency-Key answers on a route whose answer holds a secret. */
function secretAnswerDescription({ fields, repeat }: SecretAnswer): string {
  const named = fields.map((field) => `\`${field}\``).join(', ');
  return repeat === 'without'
    ? `A repeat answers the first answer without ${named}: the secret is shown once and never stored.`
    : `A repeat is refused (409): the answer is ${named}, shown once and never stored; ask again with a new key.`;
}

function operationOf(spec: RouteSpec) {
  const errors: Record<string, object> = {};
  for (const status of errorStatusesOf(spec)) {
    errors[status] = {
      description: status === '410' ? spec.gone : ERROR_DESCRIPTIONS[status],
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const parameters: object[] = [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')];
  const content = spec.response.schema
    ? {
        'application/json': { schema: j2s(spec.response.schema).swagger },
        ...(spec.response.alsoCsv && { 'text/csv': { schema: { type: 'string' } } }),
      }
    : undefined;
  for (const header of spec.headers ?? []) parameters.push({ ...header, in: 'header', required: false });
  if (acceptsIdempotencyKey(spec)) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY_FORMAT.source },
      ...(spec.secretAnswer && { description: secretAnswerDescription(spec.secretAnswer) }),
    });
  }
  return {
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.verb ? `Roles: ${rolesOf(spec.verb).join(', ')}` : undefined,
    security: securityOf(spec),
    parameters,
    requestBody: spec.body ? { required: true, content: { 'application/json': { schema: requestSchemaOf(spec.body) } } } : undefined,
    responses: {
      [String(spec.response.status)]: { description: spec.response.description ?? 'Success', content },
      ...(spec.response.also && { [String(spec.response.also.status)]: { description: spec.response.also.description, content } }),
      ...errors,
    },
  };
}

/** Public routes need nothing; an API key may call any other route but those kept for people (403 for a key). */
function securityOf(spec: RouteSpec): object[] {
  if (spec.auth === 'public') return [];
  return keptForPeople(spec) ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, { apiKeyAuth: [] }];
}

/** A route's path as the document names it: `/api/v1/claims/{id}` for `/claims/:id`. */
export const openApiPath = (routePath: string): string => API_PREFIX + routePath.replace(/:(\w+)/g, '{$1}');

export function buildOpenApi(specs: RouteSpec[], version: string) {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of specs) {
    const path = openApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method]: operationOf(spec) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Insurflow API',
      version,
      description:
        'Insurance and compliance processes driven by Temporal workflows. Errors share one body: { error: { code, message, details, requestId } }. ' +
        'Money is a decimal string in its currency ("1100.00"); an input that still takes a JSON number shows it deprecated, and a request that sends one is answered with a Deprecation header (docs/api.md, Money).',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKeyAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'ifk_<prefix>_<secret>',
          description: "A tenant's API key (POST /api/v1/api-keys), sent as `Authorization: Bearer ifk_…`; also accepted by /api/graphql",
        },
      },
      schemas: { Error: errorBody },
    },
    paths,
  };
}
