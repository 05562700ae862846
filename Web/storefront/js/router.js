// History-API routing: real paths, links followed without reloading, the back button working.
// A page is `async (ctx) => cleanup?`; ctx.render replaces the page's content unless the shopper
// has moved on meanwhile (then ctx.signal is aborted and pending API calls are cancelled).
import { fill, h, heading } from './dom.js';
import { resetMessages, showError } from './ui.js';

let routes = [];
let guard = async () => null;
let current = { controller: null, cleanup: null };

const main = () => document.getElementById('app');

/**
 * `table`: `[{pattern, page: () => Promise<pageFunction>, ...}]`, the first matching pattern wins;
 * its groups are the page's params. `check(route, path)` may answer a path to go to instead, or a
 * page function to show instead (e.g. sign-in first, or "administrators only").
 */
export function startRouter(table, check) {
  routes = table;
  guard = check;
  document.addEventListener('click', followLink);
  window.addEventListener('popstate', () => render(false));
  render(false);
}

export function navigate(url, { replace = false, state = null } = {}) {
  history[replace ? 'replaceState' : 'pushState'](state, '', url);
  window.scrollTo(0, 0);
  render(true);
}

/** The current path and query, for `?next=` links back here. */
export const here = () => `${location.pathname}${location.search}`;

function followLink(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download') || link.origin !== location.origin) return;
  if (link.pathname.startsWith('/api/')) return;
  event.preventDefault();
  if (link.pathname === location.pathname && link.search === location.search && link.hash) {
    document.getElementById(link.hash.slice(1))?.focus();
    return;
  }
  navigate(`${link.pathname}${link.search}`);
}

function notFound(ctx) {
  ctx.render(heading('Page not found'), h('p', {}, 'There is nothing at this address. ', h('a', { href: '/' }, 'Go to the shop.')));
}

async function render(moved) {
  current.controller?.abort();
  current.cleanup?.();
  const controller = new AbortController();
  current = { controller, cleanup: null };
  resetMessages();
  const root = main();
  root.setAttribute('aria-busy', 'true');
  const path = location.pathname;
  const ctx = {
    path,
    query: new URLSearchParams(location.search),
    state: history.state,
    signal: controller.signal,
    params: [],
    render: (...nodes) => {
      if (!controller.signal.aborted) fill(root, nodes);
    },
  };
  try {
    let page = notFound;
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      ctx.params = match.slice(1).map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
      const instead = await guard(route, ctx);
      if (controller.signal.aborted) return;
      if (typeof instead === 'string') return navigate(instead, { replace: true });
      page = instead ?? (await route.page());
      break;
    }
    if (controller.signal.aborted) return;
    ctx.render(h('p', { class: 'muted' }, 'Loading…'));
    const cleanup = await page(ctx);
    if (typeof cleanup === 'function') {
      if (controller.signal.aborted) cleanup();
      else current.cleanup = cleanup;
    }
  } catch (error) {
    if (controller.signal.aborted || error.name === 'AbortError' || error.signedOut) return;
    ctx.render(heading(error.status === 404 ? 'Not found' : 'This page could not be shown'),
      h('p', {}, h('a', { href: '/' }, 'Back to the shop')));
    showError(error);
  } finally {
    if (!controller.signal.aborted) {
      root.removeAttribute('aria-busy');
      const title = root.querySelector('h1');
      document.title = title ? `${title.textContent} · Bazaar` : 'Bazaar';
      if (moved) (title ?? root).focus();
    }
  }
}
