// `/account` (signed in): profile (name), address book, password change, sign out.
import { api } from '../api.js';
import { loadUser, signOut } from '../auth.js';
import { addressBlock, addressFields, addressInput } from '../components.js';
import { button, h, heading, textField } from '../dom.js';
import { navigate } from '../router.js';
import * as session from '../session.js';
import { flash, notify, onSubmit, whileBusy } from '../ui.js';

function profileSection(user) {
  const form = onSubmit(h('form', { class: 'narrow', 'data-test': 'profile-form' },
    h('p', {}, 'Email address: ', h('strong', { 'data-test': 'account-email' }, user.email)),
    textField('Name', 'name', { value: user.name, autocomplete: 'name', maxlength: 100, required: true }),
    h('button', { type: 'submit', 'data-test': 'profile-submit' }, 'Save name')),
  async (values) => {
    session.setUser(await api('/api/users/me', { method: 'PATCH', auth: true, body: { name: values.name } }));
    notify('Your name was saved.');
  });
  return h('section', { 'aria-labelledby': 'profile-heading' }, h('h2', { id: 'profile-heading' }, 'Profile'), form);
}

function addressSection(initial) {
  let addresses = initial;
  const title = h('h2', { id: 'addresses-heading', tabindex: '-1' }, 'Address book');
  const list = h('ul', { class: 'addresses', 'data-test': 'address-list' });
  const adder = h('div');

  /** An address form: `address` to edit one, none to add one. */
  function addressForm(address, done) {
    const form = onSubmit(h('form', { class: 'address-form', 'data-test': 'address-form' },
      addressFields(address ?? {}),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', 'data-test': 'address-submit' }, address ? 'Save address' : 'Add address'),
        button('Cancel', {
          on: {
            click: () => {
              done();
              title.focus();
            },
          },
        }))),
    async (values) => {
      const body = addressInput(values);
      if (address) await api(`/api/users/me/addresses/${address.id}`, { method: 'PUT', auth: true, body });
      else await api('/api/users/me/addresses', { method: 'POST', auth: true, body });
      // The default may have moved to another address: read the list again.
      addresses = (await api('/api/users/me/addresses', { auth: true })).items;
      done(address ? 'The address was saved.' : 'The address was added.');
    });
    return form;
  }

  function show(message) {
    list.replaceChildren(...addresses.map((address) => {
      const item = h('li', { class: 'address-card', 'data-test': 'address' },
        addressBlock(address),
        address.isDefault && h('p', { class: 'badge' }, 'Default address'));
      const edit = button('Edit', {
        'data-test': 'address-edit',
        on: { click: () => item.replaceChildren(h('h3', {}, 'Edit address'), addressForm(address, show)) },
      });
      const remove = button('Delete', {
        'data-test': 'address-delete',
        on: {
          click: () => whileBusy(remove, async () => {
            await api(`/api/users/me/addresses/${address.id}`, { method: 'DELETE', auth: true });
            addresses = (await api('/api/users/me/addresses', { auth: true })).items;
            show('The address was deleted.');
          }),
        },
      });
      item.append(h('div', { class: 'actions' }, edit, remove));
      return item;
    }));
    if (!addresses.length) list.append(h('li', { class: 'muted' }, 'No saved addresses yet.'));
    adder.replaceChildren(button('Add an address', {
      'data-test': 'address-add',
      on: { click: () => adder.replaceChildren(h('h3', {}, 'New address'), addressForm(null, show)) },
    }));
    if (message) {
      notify(message);
      title.focus(); // the form that had focus is gone
    }
  }
  show();
  return h('section', { 'aria-labelledby': 'addresses-heading' }, title, list, adder);
}

function passwordSection() {
  const form = onSubmit(h('form', { class: 'narrow', 'data-test': 'password-form' },
    textField('Current password', 'currentPassword', { type: 'password', autocomplete: 'current-password', required: true }),
    textField('New password', 'newPassword', { type: 'password', autocomplete: 'new-password', required: true },
      'At least 10 characters; not a common password, and not your name or email address.'),
    h('button', { type: 'submit', 'data-test': 'password-submit' }, 'Change password')),
  async (values, target) => {
    // The answer is a new session; every other one (other devices, the old refresh token) has ended.
    session.setTokens(await api('/api/users/me/password', {
      method: 'PUT', auth: true, body: { currentPassword: values.currentPassword, newPassword: values.newPassword },
    }));
    target.reset();
    notify('Your password was changed. You stay signed in here; every other session was signed out.');
  });
  return h('section', { 'aria-labelledby': 'password-heading' }, h('h2', { id: 'password-heading' }, 'Change password'), form);
}

export async function accountPage(ctx) {
  const [user, addresses] = await Promise.all([
    loadUser(ctx.signal),
    api('/api/users/me/addresses', { auth: true, signal: ctx.signal }),
  ]);
  const out = button('Sign out', {
    'data-test': 'account-sign-out',
    on: {
      click: async () => {
        await signOut();
        flash('You are signed out.');
        navigate('/');
      },
    },
  });
  ctx.render(
    heading('Your account'),
    h('p', {}, h('a', { href: '/orders' }, 'Your orders')),
    profileSection(user),
    addressSection(addresses.items),
    passwordSection(),
    h('section', { 'aria-labelledby': 'session-heading' }, h('h2', { id: 'session-heading' }, 'Signing out'), out));
}
