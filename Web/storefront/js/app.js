// Entry point: the header (search, categories, cart count, account menu) and the routes.
import { loadUser, signOut } from './auth.js';
import { loadCount, showCount } from './cart.js';
import { categories, categoryHref } from './catalog.js';
import { h, heading } from './dom.js';
import { here, navigate, startRouter } from './router.js';
import * as session from './session.js';
import { flash, showError } from './ui.js';

const ROUTES = [
  { pattern: /^\/$/, page: () => import('./views/home.js').then((m) => m.homePage) },
  { pattern: /^\/c\/([^/]+)$/, page: () => import('./views/listing.js').then((m) => m.categoryPage) },
  { pattern: /^\/search$/, page: () => import('./views/listing.js').then((m) => m.searchPage) },
  { pattern: /^\/p\/([^/]+)$/, page: () => import('./views/product.js').then((m) => m.productPage) },
  { pattern: /^\/cart$/, page: () => import('./views/cart.js').then((m) => m.cartPage) },
  { pattern: /^\/checkout$/, signedIn: true, page: () => import('./views/checkout.js').then((m) => m.checkoutPage) },
  { pattern: /^\/sign-in$/, page: () => import('./views/auth.js').then((m) => m.signInPage) },
  { pattern: /^\/register$/, page: () => import('./views/auth.js').then((m) => m.registerPage) },
  { pattern: /^\/forgot-password$/, page: () => import('./views/auth.js').then((m) => m.forgotPasswordPage) },
  { pattern: /^\/reset-password$/, page: () => import('./views/auth.js').then((m) => m.resetPasswordPage) },
  { pattern: /^\/account$/, signedIn: true, page: () => import('./views/account.js').then((m) => m.accountPage) },
  { pattern: /^\/orders$/, signedIn: true, page: () => import('./views/orders.js').then((m) => m.ordersPage) },
  { pattern: /^\/orders\/([^/]+)$/, signedIn: true, page: () => import('./views/orders.js').then((m) => m.orderPage) },
  {
    pattern: /^\/admin(?:\/(orders|stock|products|emails))?$/,
    signedIn: true,
    admin: true,
    page: () => import('./views/admin.js').then((m) => m.adminPage),
  },
];

const AUTH_PAGES = /^\/(sign-in|register|forgot-password|reset-password)$/;

function adminsOnly(ctx) {
  ctx.render(heading('Administrators only'), h('p', {}, 'This area is for the shop’s administrators. ', h('a', { href: '/' }, 'Back to the shop')));
}

/** Signed-in pages send a signed-out shopper to sign in first; /admin needs the stored role `admin`. */
async function guard(route, ctx) {
  if (route.signedIn && !session.isSignedIn()) return `/sign-in?next=${encodeURIComponent(here())}`;
  if (route.admin) {
    const user = await loadUser(ctx.signal);
    if (user?.role !== 'admin') return adminsOnly;
  }
  return null;
}

function renderAccountMenu() {
  const box = document.getElementById('account-menu');
  const user = session.currentUser();
  if (!session.isSignedIn()) {
    box.replaceChildren(h('a', { href: '/sign-in', 'data-test': 'sign-in-link' }, 'Sign in'), h('a', { href: '/register' }, 'Register'));
    return;
  }
  const menu = h('details', { class: 'menu' },
    h('summary', { 'data-test': 'account-menu-button' }, user ? user.name : 'Account'),
    h('ul', {},
      h('li', {}, h('a', { href: '/account' }, 'Your account')),
      h('li', {}, h('a', { href: '/orders' }, 'Your orders')),
      user?.role === 'admin' && h('li', {}, h('a', { href: '/admin', 'data-test': 'admin-link' }, 'Administration')),
      h('li', {}, h('button', {
        type: 'button',
        'data-test': 'sign-out',
        on: {
          click: async () => {
            await signOut();
            flash('You are signed out.');
            navigate('/');
          },
        },
      }, 'Sign out'))));
  box.replaceChildren(menu);
}

async function renderCategoryNav() {
  const list = document.getElementById('category-nav');
  const tree = await categories();
  list.replaceChildren(...tree.map((node) => h('li', {}, h('a', { href: categoryHref(node), 'data-test': 'nav-category' }, node.name))));
}

function start() {
  session.onChange((reason) => {
    renderAccountMenu();
    if (reason !== 'expired') return;
    // A refresh failed for good: signed out here too. Go to sign-in and come back here after,
    // unless this already is one of the signing-in pages (a reset link must not be lost).
    showCount(0);
    if (AUTH_PAGES.test(location.pathname)) return;
    flash('Your session has ended. Please sign in again.');
    navigate(`/sign-in?next=${encodeURIComponent(here())}`, { replace: true });
  });
  // Close the account menu after following one of its links (and on Escape).
  document.addEventListener('click', (event) => {
    const menu = document.querySelector('#account-menu details[open]');
    if (menu && (event.target.closest('a, button') || !menu.contains(event.target))) menu.open = false;
  });
  document.addEventListener('keydown', (event) => {
    const menu = document.querySelector('#account-menu details[open]');
    if (event.key === 'Escape' && menu) {
      menu.open = false;
      menu.querySelector('summary').focus();
    }
  });
  const search = document.getElementById('search');
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = search.elements.q.value.trim();
    navigate(q ? `/search?q=${encodeURIComponent(q)}` : '/search');
  });

  renderAccountMenu();
  startRouter(ROUTES, guard);
  // The header's data: failures here are shown but do not stop the page.
  renderCategoryNav().catch(showError);
  loadCount().catch(showError);
  if (session.isSignedIn()) loadUser().catch(showError);
}

start();
