// Thin fetch wrapper for the Fieldpath API: JSON in and out, the session cookie, and errors
// thrown as ApiError with the server's {error: {code, message, field}}.

/** An API error answer (or a network failure: status 0). */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
  /** Whether someone else changed the record (412) or planned it meanwhile (409). */
  get isConflict() {
    return this.status === 412 || this.status === 409;
  }
}

/** Calls the API. `opts.ifMatch` sends If-Match with a record version. */
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'No connection to the server', null);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText, err.field);
  }
  if (opts.withResponse) return { data, res };
  return data;
}

/** The signed-in user ({id, email, name, role, org_id}) or null. */
export async function currentUser() {
  try {
    const me = await api('GET', '/api/v1/me');
    return me.user || null;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

/** Where a role lands after login. */
export function homeFor(role) {
  if (role === 'technician') return '/tech';
  if (role === 'customer') return '/portal';
  if (role === 'agent') return '/desk';
  if (role === 'admin' || role === 'dispatcher') return '/board';
  return '/';
}

/** Signs out and goes to the login page. */
export async function logout() {
  try { await api('POST', '/api/v1/auth/logout'); } catch { /* already signed out */ }
  location.href = '/';
}
