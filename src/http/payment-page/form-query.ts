// A Payment Page request posted as a form, written back as the query string the GET link would carry.
// The page then checks and signs it exactly as the link: `+` is a space, the first of a repeated name wins.

export function formQuery(body: unknown): string {
  const search = new URLSearchParams();
  if (typeof body !== 'object' || body === null) return '';
  for (const [name, raw] of Object.entries(body)) {
    const value: unknown = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === null) continue;
    search.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return search.toString();
}
