/**
 * A Map kept as a bounded recency list: `setNewest` makes the key the newest entry (a Map iterates in
 * insertion order) and drops the oldest entries beyond `max`. For the per-address and per-MAC tables that
 * must not grow with a flood of new senders.
 */
export function setNewest<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  max: number,
): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}
