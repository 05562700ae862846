// `/sign-in`, `/register`, `/forgot-password` and `/reset-password`.
import { ApiError, api } from '../api.js';
import { register, signIn } from '../auth.js';
import { h, heading, textField } from '../dom.js';
import { navigate } from '../router.js';
import * as session from '../session.js';
import { flash, onSubmit } from '../ui.js';

const PASSWORD_HINT = 'At least 10 characters; not a common password, and not your name or email address.';

/** Where to go after signing in: `?next=` when it is a path on this site, else home. */
function nextPath(ctx) {
  const next = ctx.query.get('next') ?? '';
  return /^\/(?![/\\])/.test(next) ? next : '/';
}

function welcome(ctx, dropped, text) {
  flash(dropped ? `${text} ${dropped} products from your guest cart did not fit in your cart (at most 50 products).` : text);
  navigate(nextPath(ctx), { replace: true });
}

export async function signInPage(ctx) {
  const next = ctx.query.get('next');
  const form = onSubmit(h('form', { class: 'narrow', 'data-test': 'sign-in-form' },
    textField('Email address', 'email', { type: 'email', autocomplete: 'email', required: true }),
    textField('Password', 'password', { type: 'password', autocomplete: 'current-password', required: true }),
    h('button', { type: 'submit', class: 'primary', 'data-test': 'sign-in-submit' }, 'Sign in')),
  async (values) => {
    welcome(ctx, await signIn(values.email, values.password), 'You are signed in.');
  });
  ctx.render(
    heading('Sign in'),
    form,
    h('p', {}, h('a', { href: '/forgot-password' }, 'Forgot your password?')),
    h('p', {}, 'New here? ', h('a', { href: next ? `/register?next=${encodeURIComponent(next)}` : '/register' }, 'Create an account')));
}

export async function registerPage(ctx) {
  const form = onSubmit(h('form', { class: 'narrow', 'data-test': 'register-form' },
    textField('Your name', 'name', { autocomplete: 'name', maxlength: 100, required: true }),
    textField('Email address', 'email', { type: 'email', autocomplete: 'email', required: true }),
    textField('Password', 'password', { type: 'password', autocomplete: 'new-password', required: true }, PASSWORD_HINT),
    h('button', { type: 'submit', class: 'primary', 'data-test': 'register-submit' }, 'Create account')),
  async (values) => {
    welcome(ctx, await register(values.name, values.email, values.password), 'Welcome to Bazaar! Your account is ready.');
  });
  ctx.render(heading('Create an account'), form,
    h('p', {}, 'Already have one? ', h('a', { href: '/sign-in' }, 'Sign in')));
}

export async function forgotPasswordPage(ctx) {
  const done = h('p', { role: 'status', 'data-test': 'reset-requested' });
  const form = onSubmit(h('form', { class: 'narrow', 'data-test': 'forgot-form' },
    textField('Email address', 'email', { type: 'email', autocomplete: 'email', required: true }),
    h('button', { type: 'submit', class: 'primary', 'data-test': 'forgot-submit' }, 'Send me a link')),
  async (values) => {
    await api('/api/auth/password-reset', { method: 'POST', body: { email: values.email } });
    done.textContent = `If ${values.email.trim()} belongs to an account, we have sent it a link to choose a new password. `
      + 'The link works once, for 30 minutes.';
  });
  ctx.render(heading('Forgot your password?'),
    h('p', {}, 'Tell us your email address and we will send you a link to choose a new password.'),
    form, done);
}

export async function resetPasswordPage(ctx) {
  // The token is in the fragment (#token=…), which browsers never send to a server. Read it once,
  // then take it out of the address bar and history; it goes nowhere but the confirm endpoint.
  // (An older email's link had it in the query: read and removed the same way.)
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ctx.query.get('token');
  if (location.hash || ctx.query.has('token')) history.replaceState(null, '', '/reset-password');
  if (!token) {
    ctx.render(heading('Choose a new password'),
      h('p', { 'data-test': 'reset-no-token' }, 'This link has no reset token. Open the link from the email again, or ',
        h('a', { href: '/forgot-password' }, 'ask for a new one'), '.'));
    return;
  }
  const form = onSubmit(h('form', { class: 'narrow', 'data-test': 'reset-form' },
    textField('New password', 'newPassword', { type: 'password', autocomplete: 'new-password', required: true }, PASSWORD_HINT),
    textField('The same again', 'confirm', { type: 'password', autocomplete: 'new-password', required: true }),
    h('button', { type: 'submit', class: 'primary', 'data-test': 'reset-submit' }, 'Set the new password')),
  async (values) => {
    if (values.newPassword !== values.confirm) {
      throw new ApiError(400, { detail: 'The two passwords differ.', errors: [{ field: 'confirm', message: 'Type the same password twice.' }] });
    }
    await api('/api/auth/password-reset/confirm', { method: 'POST', body: { token, newPassword: values.newPassword } });
    // Every session of the account has ended, this one too.
    if (session.isSignedIn()) session.clear('signed-out');
    flash('Your password has been changed and every session signed out. Sign in with the new password.');
    navigate('/sign-in', { replace: true });
  });
  ctx.render(heading('Choose a new password'), form);
}
