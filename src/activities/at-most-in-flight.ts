/** Runs `each` over the items `size` at a time: enough in flight to keep a server busy without flooding it. */
export async function inChunks<T>(items: T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}
