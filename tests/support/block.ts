/// <reference types="jest" />

/**
 * What a describe block starts for its tests, as the block declares it (`const stack = ofBlock(...)`): `start`ed in
 * a `beforeAll` and `stop`ped in an `afterAll`, which jest runs before the hooks the block declares after this call
 * (so the block's own `afterAll` runs once it is stopped). The block's tests and hooks use what it answers as the
 * started value itself: every property is read from the started value when used, so none may be read while the
 * block is being declared (it throws, naming `what`).
 *
 * A proxy rather than getters listed by hand, so a field added to the value is read like the others without being
 * added here too. Its methods run with the proxy as `this`, which reads and writes through to the value: fine for
 * the plain objects the fixtures start (no private `#fields`).
 */
export function ofBlock<T extends object>(what: string, start: () => Promise<T>, stop: (started: T) => Promise<void>): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    if (started) await stop(started);
  });
  const value = (): T => {
    if (!started) throw new Error(`the block's ${what} is read before its beforeAll started it`);
    return started;
  };
  // Each trap goes to the started value, so a write, a spread or `'x' in it` acts as on the value itself.
  return new Proxy({} as T, {
    get: (_target, property) => Reflect.get(value(), property),
    set: (_target, property, written) => Reflect.set(value(), property, written),
    has: (_target, property) => Reflect.has(value(), property),
    ownKeys: () => Reflect.ownKeys(value()),
    getOwnPropertyDescriptor: (_target, property) => Reflect.getOwnPropertyDescriptor(value(), property),
  });
}
