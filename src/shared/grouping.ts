/**
 * A batch loader's answer: one list per key, in the order of `keys`, whatever the order of the rows. DataLoader
 * wants exactly one entry per key (an empty list where no row belongs), and one statement read the rows of all.
 */
export function groupedBy<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
  // Each list keeps the rows' order (the statement's ORDER BY); a row of a key not asked for is left out.
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key)!);
}
