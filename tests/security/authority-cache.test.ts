/**
 * The per-process authority cache against the real database, with the one interleaving that made
 * it stale: a load reads the user's authority, the user is demoted (or deactivated) and the entry
 * forgotten, and only then does the load come back. The load is the real database read, held after
 * it has read until the test releases it.
 */
import { createAuthorityCache, loadAuthority, type Authority, type AuthorityCache } from '../../src/services/authority';
import { User } from '../../src/models';
import { buildUser } from '../support/factories';
import { testStackOfBlock } from '../support/stack';
import { waitUntil } from '../support/waiting';

/** A load of the real authority that, once it has read the database, waits until released. */
function heldLoad() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markRead!: () => void;
  const read = new Promise<void>((resolve) => (markRead = resolve));
  const load = async (userId: string): Promise<Authority | null> => {
    const authority = await loadAuthority(userId);
    markRead();
    await released;
    return authority;
  };
  return { load, read, release };
}

describe('authority cache', () => {
  // Only its database is used: the models read the stack's.
  testStackOfBlock();

  /** A cache whose first load is held, the rest going straight to the database. */
  function cacheWithFirstLoadHeld(): { cache: AuthorityCache; held: ReturnType<typeof heldLoad> } {
    const held = heldLoad();
    let loads = 0;
    const cache = createAuthorityCache((userId) => (++loads === 1 ? held.load(userId) : loadAuthority(userId)));
    return { cache, held };
  }

  it('a load that read before a demotion does not store the old role after the change forgot the entry', async () => {
    const user = await buildUser({ role: 'claims_manager' });
    const { cache, held } = cacheWithFirstLoadHeld();
    const slow = cache.currentAuthority(user.id);
    await held.read;

    await user.update({ role: 'adjuster' });
    cache.forgetAuthority(user.id);
    held.release();
    // The request that began before the demotion still sees the role it read; nobody after it does.
    expect((await slow)?.role).toBe('claims_manager');
    expect((await cache.currentAuthority(user.id))?.role).toBe('adjuster');
  });

  it('a load that read before a deactivation does not overwrite the newer entry a later load stored', async () => {
    const user = await buildUser({ role: 'adjuster' });
    const { cache, held } = cacheWithFirstLoadHeld();
    const slow = cache.currentAuthority(user.id);
    await held.read;

    // Deactivated by another API process: this one learns it from a later load, not an invalidation.
    await User.update({ isActive: false }, { where: { id: user.id } });
    expect((await cache.currentAuthority(user.id))?.active).toBe(false);
    held.release();
    expect((await slow)?.active).toBe(true);
    expect((await cache.currentAuthority(user.id))?.active).toBe(false);
  });

  it('renews an entry in use before it expires with one read, however many requests come at its end', async () => {
    const user = await buildUser({ role: 'adjuster' });
    let loads = 0;
    let lastLoad: Promise<Authority | null> | undefined;
    const cache = createAuthorityCache(
      (userId) => {
        loads += 1;
        lastLoad = loadAuthority(userId);
        return lastLoad;
      },
      { ttlMs: 2000, refreshAheadMs: 1500 },
    );
    await cache.currentAuthority(user.id);
    // Now within the last 1,500 ms of the entry; the user is promoted by another API process meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await User.update({ role: 'claims_manager' }, { where: { id: user.id } });

    const burst = await Promise.all(Array.from({ length: 50 }, () => cache.currentAuthority(user.id)));
    // Answered from the entry, still within its time, while a single read renews it.
    expect(burst.map((authority) => authority?.role)).toEqual(Array(50).fill('adjuster'));
    expect(loads).toBe(2);
    // Asked as soon as the renewal's read is back (not at a poll's next turn), the renewed entry is
    // far from its own last 1,500 ms: a second renewal here would be a bug, not a slow machine.
    await lastLoad;
    await waitUntil(async () => (await cache.currentAuthority(user.id))?.role === 'claims_manager', 'the renewed entry');
    expect(loads).toBe(2);
  });
});
