/**
 * A JSON body names each key of an object once (src/api/http/well-formed.ts, repeatedKey):
 * JSON.parse keeps the last of two silently, so a reader that keeps the first would see another
 * request than the API acts on.
 */
import { Category, Tenant } from '../../../src/models';
import { repeatedKey } from '../../../src/api/http/well-formed';
import { bearer, buildTenant, buildUser } from '../../support/factories';
import { testStackOfBlock } from '../../support/stack';

describe('repeatedKey', () => {
  it('names the first key an object repeats, by its path, wherever it is nested', () => {
    expect(repeatedKey('{"name":"a","name":"b"}')).toBe('name');
    expect(repeatedKey('{"a":{"b":1,"c":[1,{"d":2,"d":3}]}}')).toBe('a.c.1.d');
    expect(repeatedKey('[{"x":1},{"y":1,"y":2}]')).toBe('1.y');
    // Compared as decoded: one key spelled two ways is still one key.
    expect(repeatedKey('{"role":"agent","\\u0072ole":"admin"}')).toBe('role');
  });

  it('passes keys that repeat only across objects, and strings that look like keys', () => {
    expect(repeatedKey('{"a":{"id":1},"b":{"id":2},"id":3}')).toBeNull();
    expect(repeatedKey('[{"id":1},{"id":2}]')).toBeNull();
    expect(repeatedKey('{"a":"\\",\\"a\\":","b":["a","a"],"c":"{\\"a\\":1,\\"a\\":2}"}')).toBeNull();
    expect(repeatedKey('{ "a" : 1 , "b" : [ ] , "c" : { } }')).toBeNull();
    expect(repeatedKey('"text"')).toBeNull();
    expect(repeatedKey('12')).toBeNull();
  });
});

describe('a JSON body naming a key twice', () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let admin: string;

  beforeAll(async () => {
    tenant = await buildTenant();
    admin = bearer(stack.config, await buildUser({ tenantId: tenant.id, role: 'tenant_admin' }));
  });

  it('is refused with 400 naming the key, over REST and GraphQL, and records nothing', async () => {
    const rest = await stack.api
      .post('/api/v1/categories')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .send('{"name":"Shops","name":"Offices"}')
      .expect(400);
    expect(rest.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'body.name', message: 'body.name is given more than once' }],
    });
    const graphql = await stack.api
      .post('/api/graphql')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .send('{"query":"{ __typename }","variables":{"a":1,"a":2}}')
      .expect(400);
    expect(graphql.body.error.details).toEqual([{ field: 'body.variables.a', message: 'body.variables.a is given more than once' }]);
    expect(await Category.count({ where: { tenantId: tenant.id } })).toBe(0);

    // The same object with each key once is taken.
    await stack.api
      .post('/api/v1/categories')
      .set('Authorization', admin)
      .set('Content-Type', 'application/json')
      .send('{"name":"Shops","description":"name, name"}')
      .expect(201);
  });
});
