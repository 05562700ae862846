// Who is signed in. The access token lives only in this module (memory): no script outside this
// origin's modules can read it from storage, and it is gone when the tab closes. The refresh token
// is kept in sessionStorage so that reloading the tab keeps the shopper signed in; it is rotated on
// every refresh (api.js), so a copy read from storage later is already spent.
// This module does no network work; api.js refreshes tokens and auth.js signs in and out.

const REFRESH_KEY = 'bazaar.refreshToken';

let access = null;
let accessExpiresAt = 0;
let user = null;
const listeners = new Set();

function stored() {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null; // storage disabled: a session lasts as long as this page
  }
}

function store(value) {
  try {
    if (value) sessionStorage.setItem(REFRESH_KEY, value);
    else sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    /* storage disabled */
  }
}

let refresh = stored();

export const accessToken = () => access;
export const refreshToken = () => refresh;
export const currentUser = () => user;
export const isSignedIn = () => Boolean(access || refresh);

/** Seconds the access token is still good for (0 when there is none). */
export function accessSecondsLeft() {
  return access ? Math.max(0, Math.floor((accessExpiresAt - Date.now()) / 1000)) : 0;
}

/** Keeps an AuthTokens answer (sign-in, registration, refresh, password change). */
export function setTokens(tokens) {
  access = tokens.accessToken;
  accessExpiresAt = Date.now() + tokens.expiresIn * 1000;
  refresh = tokens.refreshToken;
  store(refresh);
  if (tokens.user) setUser(tokens.user);
}

export function setUser(value) {
  user = value;
  emit('user');
}

/** Forgets everything. `reason` is 'signed-out' (the shopper asked) or 'expired' (a refresh failed). */
export function clear(reason) {
  access = null;
  accessExpiresAt = 0;
  refresh = null;
  user = null;
  store(null);
  emit(reason);
}

export function onChange(listener) {
  listeners.add(listener);
}

function emit(reason) {
  for (const listener of listeners) listener(reason);
}
