// The one way to call the API: same origin, JSON in and out, tokens in headers (never cookies).
// Every error answer is problem+json; it becomes an ApiError carrying the problem document.
import * as session from './session.js';

export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    super(problem.detail || problem.title || `The request failed (status ${status}).`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The last segment of the problem's type URI, e.g. `total-changed`, `invalid-credentials`. */
  get kind() {
    return String(this.problem.type ?? '').split('/').pop();
  }

  /** The problem's `errors`: one `{field, message}` per invalid field. */
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

const NETWORK_PROBLEM = {
  title: 'Network error',
  detail: 'The shop could not be reached. Check your connection and try again.',
};

function signedOut() {
  const error = new ApiError(401, { title: 'Signed out', detail: 'Your session has ended; please sign in again.' });
  error.signedOut = true;
  return error;
}

async function send(path, { method = 'GET', body, headers = {}, signal } = {}, token = null) {
  const sent = { Accept: 'application/json', ...headers };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  if (token) sent.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, NETWORK_PROBLEM);
  }
}

async function failure(response) {
  let problem = {};
  try {
    problem = (await response.json()) ?? {};
  } catch {
    problem = { title: response.statusText || 'Error' }; // not JSON (a proxy's error page)
  }
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : null);
}

// Refresh tokens are single-use: two refreshes with the same token would spend it twice, and the
// second would revoke the whole session. So there is at most one refresh at a time, and every
// caller that needs one waits for the same promise.
let refreshing = null;

export function refreshSession() {
  refreshing ??= rotate().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function rotate() {
  const refreshToken = session.refreshToken();
  if (!refreshToken) {
    session.clear('expired');
    throw signedOut();
  }
  const response = await send('/api/auth/refresh', { method: 'POST', body: { refreshToken } });
  if (session.refreshToken() !== refreshToken) throw signedOut(); // signed out (or in again) meanwhile
  if (!response.ok) {
    const error = await failure(response);
    // 400/401: the token is unknown, expired, spent or revoked: this session is over. Anything else
    // (429, 503, no network) says nothing about the token, which stays for the next try.
    if (response.status === 400 || response.status === 401) {
      session.clear('expired');
      error.signedOut = true;
    }
    throw error;
  }
  const tokens = await response.json();
  session.setTokens(tokens);
  return tokens.accessToken;
}

/**
 * Calls the API; returns `{data, status, headers}` or throws an ApiError.
 * `auth: true` sends the access token (refreshing it first when only the refresh token is known);
 * a 401 to a request that carried a token refreshes once and retries once.
 */
export async function apiFull(path, options = {}) {
  let token = null;
  if (options.auth) token = session.accessToken() ?? (await refreshSession());
  let response = await send(path, options, token);
  if (response.status === 401 && token) {
    const newer = session.accessToken();
    token = newer && newer !== token ? newer : await refreshSession();
    response = await send(path, options, token);
  }
  if (!response.ok) throw await failure(response);
  const type = response.headers.get('Content-Type') ?? '';
  const text = response.status === 204 ? '' : await response.text();
  return { data: text && type.includes('json') ? JSON.parse(text) : null, status: response.status, headers: response.headers };
}

/** Like apiFull, answering only the body. */
export async function api(path, options) {
  return (await apiFull(path, options)).data;
}

/** A query string from an object, leaving out empty values: `?a=1&b=x`, or '' when all are empty. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
