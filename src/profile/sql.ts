/** SQL helpers shared by the profile queries. */

/** DateTime64 expression -> ISO 8601 text with milliseconds and Z ('2024-01-01T00:00:00.000Z'). */
export const isoSql = (t: string) => `concat(replaceOne(toString(${t}, 'UTC'), ' ', 'T'), 'Z')`;
