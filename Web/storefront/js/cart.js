// The cart service's calls. A signed-in shopper's cart is found by the bearer token; a guest's by
// the opaque token the cart service issues in the `X-Cart-Token` response header, kept in
// localStorage (a guest cart lives 7 days, across tabs and restarts) and sent on every cart call
// while signed out. After sign-in the guest cart is merged into the user's and the token forgotten.
import { api, apiFull } from './api.js';
import * as session from './session.js';

const GUEST_KEY = 'bazaar.cartToken';

function guestToken() {
  try {
    return localStorage.getItem(GUEST_KEY);
  } catch {
    return null;
  }
}

function setGuestToken(token) {
  try {
    if (token) localStorage.setItem(GUEST_KEY, token);
    else localStorage.removeItem(GUEST_KEY);
  } catch {
    /* storage disabled: the guest cart lasts as long as this page */
  }
}

/** Shows the number of units in the header's cart link. */
export function showCount(count) {
  const badge = document.querySelector('[data-test="cart-count"]');
  if (badge) badge.textContent = String(count);
}

/** A cart call (`path` under /api/cart) as the current shopper; answers the Cart (or null for 204). */
export async function cartCall(path, { method = 'GET', body, signal } = {}) {
  const signedIn = session.isSignedIn();
  const guest = signedIn ? null : guestToken();
  const { data, headers } = await apiFull(`/api/cart${path}`, {
    method,
    body,
    signal,
    auth: signedIn,
    headers: guest ? { 'X-Cart-Token': guest } : {},
  });
  const issued = headers.get('X-Cart-Token');
  if (issued && !signedIn) setGuestToken(issued);
  showCount(data?.itemCount ?? 0);
  return data;
}

/** The header count at start-up, without creating a guest token for a shopper who has none. */
export async function loadCount() {
  if (session.isSignedIn() || guestToken()) await cartCall('');
  else showCount(0);
}

/**
 * After sign-in or registration: moves the guest's lines into the user's cart and forgets the
 * guest token. Answers the number of lines dropped because the cart was full (0 usually).
 */
export async function mergeGuestCart() {
  const guest = guestToken();
  if (!guest) {
    await cartCall('');
    return 0;
  }
  try {
    const cart = await api('/api/cart/merge', { method: 'POST', auth: true, headers: { 'X-Cart-Token': guest } });
    setGuestToken(null);
    showCount(cart.itemCount);
    return cart.droppedLines ?? 0;
  } catch (error) {
    // A 4xx will not get better (a malformed or foreign token): forget it. Otherwise keep it for
    // the next sign-in; either way signing in has worked.
    if (error.status >= 400 && error.status < 500) setGuestToken(null);
    return 0;
  }
}
