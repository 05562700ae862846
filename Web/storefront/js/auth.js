// Signing in, registering and signing out; the signed-in account's profile.
import { api } from './api.js';
import { mergeGuestCart, showCount } from './cart.js';
import * as session from './session.js';

/** Keeps a new session's tokens and merges the guest cart; answers the guest lines dropped. */
async function start(tokens) {
  session.setTokens(tokens);
  return mergeGuestCart();
}

export async function signIn(email, password) {
  return start(await api('/api/auth/login', { method: 'POST', body: { email, password } }));
}

export async function register(name, email, password) {
  return start(await api('/api/auth/register', { method: 'POST', body: { email, password, name } }));
}

/** Forgets the session here at once, then revokes it at the user service. */
export async function signOut() {
  const refreshToken = session.refreshToken();
  session.clear('signed-out');
  showCount(0);
  if (!refreshToken) return;
  try {
    await api('/api/auth/logout', { method: 'POST', body: { refreshToken } });
  } catch {
    // Nothing more to do here: the tokens are forgotten, and the session ends at its expiry.
  }
}

/** The account from `GET /api/users/me` (its stored role included), or null when signed out. */
export async function loadUser(signal) {
  if (!session.isSignedIn()) return null;
  const user = await api('/api/users/me', { auth: true, signal });
  session.setUser(user);
  return user;
}
