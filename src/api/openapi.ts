/** The OpenAPI 3 document, generated from the same route specs and Joi schemas that validate requests. */
import type Joi from 'joi';
import j2s from 'joi-to-swagger';
import { acceptsIdempotencyKey, type RouteSpec } from './route';
import { API_PREFIX } from './paths';

const errorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object' } },
        requestId: { type: 'string' },
      },
    },
  },
};

function parametersOf(schema: Joi.ObjectSchema | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const { swagger } = j2s(schema);
  const properties = (swagger.properties ?? {}) as Record<string, object>;
  const required: string[] = swagger.required ?? [];
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.includes(name),
    schema: property,
  }));
}

function operationOf(spec: RouteSpec) {
  const errors: Record<string, object> = {};
  for (const status of ['400', '401', '403', '404', '409', '422', '429']) {
    errors[status] = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  const parameters = [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')];
  if (acceptsIdempotencyKey(spec)) {
    parameters.push({ name: 'Idempotency-Key', in: 'header' as 'query', required: false, schema: { type: 'string' } });
  }
  return {
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.roles ? `Roles: ${spec.roles.join(', ')}` : undefined,
    security: spec.auth === 'public' ? [] : [{ bearerAuth: [] }],
    parameters,
    requestBody: spec.body ? { required: true, content: { 'application/json': { schema: j2s(spec.body).swagger } } } : undefined,
    responses: {
      [String(spec.response.status)]: {
        description: spec.response.description ?? 'Success',
        content: spec.response.schema
          ? { 'application/json': { schema: j2s(spec.response.schema).swagger }, ...(spec.response.alsoCsv && { 'text/csv': { schema: { type: 'string' } } }) }
          : undefined,
      },
      ...errors,
    },
  };
}

export function buildOpenApi(specs: RouteSpec[], version: string) {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of specs) {
    const path = API_PREFIX + spec.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [spec.method]: operationOf(spec) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Insurflow API',
      version,
      description: 'Insurance and compliance processes driven by Temporal workflows. Errors share one body: { error: { code, message, details, requestId } }.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorBody },
    },
    paths,
  };
}
