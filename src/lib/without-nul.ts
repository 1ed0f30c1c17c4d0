// U+0000 means nothing in anything a person types or a platform names, and PostgreSQL can store
// it neither in text nor in jsonb ("invalid byte sequence", "unsupported Unicode escape"): what
// comes in is rid of it once, where it enters, so no later write trips over it.
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '') as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  return value;
}
