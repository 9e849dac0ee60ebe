// The HTTP side of sync: JSON in and out, the session cookie, and the CSRF token.

export class HttpError extends Error {
  constructor(status, body) {
    const err = body && body.error;
    super(err?.message || `HTTP ${status}`);
    this.status = status;
    this.code = err?.code || null;
    this.body = body;
  }
}

export class Api {
  // getCsrf/setCsrf keep the token wherever the caller keeps it (IndexedDB meta).
  constructor({ fetch = globalThis.fetch.bind(globalThis), base = '/api/v1', getCsrf, setCsrf } = {}) {
    this.fetch = fetch;
    this.base = base;
    this.getCsrf = getCsrf || (async () => null);
    this.setCsrf = setCsrf || (async () => {});
  }

  // `body`: sent as JSON, or as it is when FormData (a file upload: the browser sets the
  // multipart Content-Type with its boundary).
  async request(method, path, body, { retryCsrf = true } = {}) {
    const headers = { Accept: 'application/json' };
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') {
      const token = await this.getCsrf();
      if (token) headers['X-CSRF-Token'] = token;
    }
    const res = await this.fetch(this.base + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined || form ? body : JSON.stringify(body),
    });
    let data = null;
    if (res.status !== 204) {
      const text = await res.text();
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = null;
      }
    }
    if (res.status === 403 && data?.error?.code === 'csrf_failed' && retryCsrf) {
      // The session outlived our token (a reload, another tab signed in): fetch it again.
      const me = await this.request('GET', '/auth/me');
      await this.setCsrf(me.csrf_token);
      return this.request(method, path, body, { retryCsrf: false });
    }
    if (!res.ok) throw new HttpError(res.status, data);
    return data;
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body) {
    return this.request('POST', path, body ?? {});
  }
}
