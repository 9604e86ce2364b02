/**
 * One row per payload key of an event, for queries that read every pair of the `properties` map.
 * A JSON object may repeat a key and the map keeps both pairs; the row of a repeated key's later
 * occurrences is dropped (`FIRST_OF_KEY`), so a key counts once per event, with the value a map
 * lookup (`properties[key]`) returns: presence never exceeds the events.
 */
export const PAYLOAD_PAIRS = 'ARRAY JOIN mapKeys(properties) AS k, mapValues(properties) AS v, arrayEnumerateUniq(mapKeys(properties)) AS nth';
export const FIRST_OF_KEY = 'nth = 1';
