// `/checkout` (signed in): address, test card, the total that will be charged, Place order.
// One Idempotency-Key per checkout attempt, made when this page is first shown and kept in
// sessionStorage with the request it was sent with: a double click, a retry after a lost answer
// or a reload sends the same key, and the cart service places the order once.
import { ApiError, api } from '../api.js';
import { cartCall, showCount } from '../cart.js';
import { addressBlock, addressFields, addressInput, postal, totals } from '../components.js';
import { fill, h, heading } from '../dom.js';
import { TEST_CARDS, money } from '../format.js';
import { navigate } from '../router.js';
import { notify, onSubmit, whileBusy } from '../ui.js';

const ATTEMPT_KEY = 'bazaar.checkout';

/** `{key, body}`: the attempt's Idempotency-Key and, once sent, the request it was sent with. */
function attempt() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(ATTEMPT_KEY) ?? 'null');
    if (saved?.key) return saved;
  } catch {
    /* nothing usable saved */
  }
  return saveAttempt({ key: crypto.randomUUID(), body: null });
}

function saveAttempt(value) {
  try {
    if (value) sessionStorage.setItem(ATTEMPT_KEY, JSON.stringify(value));
    else sessionStorage.removeItem(ATTEMPT_KEY);
  } catch {
    /* storage disabled: the key lasts as long as this page */
  }
  return value;
}

const NEW = 'new';

function radio(name, value, checked, label, test) {
  const id = `${name}-${value}`;
  return h('div', { class: 'choice' },
    h('input', { type: 'radio', name, value, id, checked, 'data-test': test }),
    h('label', { for: id }, label));
}

export async function checkoutPage(ctx) {
  const [cart, addressList] = await Promise.all([
    cartCall('', { signal: ctx.signal }),
    api('/api/users/me/addresses', { auth: true, signal: ctx.signal }),
  ]);
  let current = attempt();
  let addresses = addressList.items;

  /** Sends the checkout; a 202 goes to the order page. Anything else leaves the key as the answer requires. */
  async function place(body) {
    current = saveAttempt({ key: current.key, body });
    let accepted;
    try {
      accepted = await api('/api/cart/checkout', { method: 'POST', auth: true, body, headers: { 'Idempotency-Key': current.key } });
    } catch (error) {
      if (error instanceof ApiError && error.status > 0) {
        // Answered: nothing was ordered. A changed total or a key already used for another
        // request needs a new attempt (a new key); other refusals may reuse this one.
        const fresh = error.kind === 'total-changed' || error.status === 422;
        current = saveAttempt({ key: fresh ? crypto.randomUUID() : current.key, body: null });
      } // else no answer (network): keep key and body, so trying again cannot order twice
      throw error;
    }
    saveAttempt(null);
    showCount(0);
    navigate(`/orders/${encodeURIComponent(accepted.orderId)}`, { state: { placed: true } });
  }

  if (!cart.lines.length) {
    const pending = current.body;
    const recover = h('button', {
      type: 'button',
      class: 'primary',
      'data-test': 'checkout-recover',
      on: {
        click: () => whileBusy(recover, async () => {
          try {
            await place(pending);
          } catch (error) {
            if (error.status !== 409) throw error;
            recover.hidden = true;
            notify('No order was placed with that attempt.');
          }
        }),
      },
    }, 'Check my last order attempt');
    ctx.render(heading('Checkout'),
      h('p', { 'data-test': 'cart-empty' }, 'Your cart is empty. ', h('a', { href: '/' }, 'Continue shopping.')),
      pending && h('div', { class: 'panel' },
        h('p', {}, 'Your last order attempt got no answer. It may have been placed; checking is safe and cannot order twice.'),
        recover));
    return;
  }

  const blocked = cart.unavailableProductIds.length > 0;
  let expectedTotal = cart.total;
  const summary = h('div', { 'data-test': 'checkout-summary' });
  const showSummary = (priced) => {
    expectedTotal = priced.total;
    summary.replaceChildren(
      h('ul', { class: 'summary-lines' }, priced.lines.filter((line) => line.available).map((line) => h('li', {},
        h('span', {}, `${line.quantity} × ${line.name}`), h('span', {}, money(line.lineTotal))))),
      totals(priced),
      h('p', { class: 'charge', 'data-test': 'checkout-total' }, 'You will be charged ', h('strong', {}, money(priced.total)), '.'));
  };
  showSummary(cart);

  const addressBox = h('div');
  const newAddress = h('div', { class: 'new-address', 'data-test': 'new-address' }, addressFields({}, false));
  const showAddresses = (selected) => {
    const choices = addresses.map((address) => radio('addressId', address.id, address.id === selected, addressBlock(address, 'span'), 'checkout-address'));
    fill(addressBox,
      choices,
      addresses.length > 0 && radio('addressId', NEW, selected === NEW, 'A new address', 'checkout-address-new'),
      newAddress);
    newAddress.hidden = addresses.length > 0 && selected !== NEW;
  };
  showAddresses((addresses.find((address) => address.isDefault) ?? addresses[0])?.id ?? NEW);
  addressBox.addEventListener('change', (event) => {
    if (event.target.name === 'addressId') newAddress.hidden = event.target.value !== NEW;
  });

  const submit = h('button', { type: 'submit', class: 'primary', 'data-test': 'checkout-submit', disabled: blocked }, 'Place order');
  const form = onSubmit(h('form', { class: 'checkout', 'data-test': 'checkout-form' },
    h('section', { 'aria-labelledby': 'address-heading' },
      h('h2', { id: 'address-heading' }, 'Delivery address'),
      h('fieldset', {}, h('legend', { class: 'visually-hidden' }, 'Deliver to'), addressBox)),
    h('section', { 'aria-labelledby': 'payment-heading' },
      h('h2', { id: 'payment-heading' }, 'Payment'),
      h('fieldset', {},
        h('legend', {}, 'Test card (no real money moves)'),
        TEST_CARDS.map((card, index) => radio('paymentMethod', card.token, index === 0, `${card.card} — ${card.outcome}`, 'payment-option')))),
    h('section', { 'aria-labelledby': 'order-heading' },
      h('h2', { id: 'order-heading' }, 'Your order'),
      summary,
      blocked && h('p', { class: 'warning' }, 'Some products in your cart cannot be ordered. ', h('a', { href: '/cart' }, 'Review your cart.')),
      submit)), async (values) => {
    let address = addresses.find((saved) => saved.id === values.addressId);
    if (!address) {
      // A new address is saved to the address book first, then selected, so a retry does not save it twice.
      address = await api('/api/users/me/addresses', { method: 'POST', auth: true, body: addressInput(values) });
      addresses = [...addresses, address];
      showAddresses(address.id);
    }
    try {
      await place({ shippingAddress: postal(address), paymentMethod: values.paymentMethod, expectedTotal });
    } catch (error) {
      if (error.kind !== 'total-changed' || !error.problem.cart) throw error;
      showSummary(error.problem.cart);
      showCount(error.problem.cart.itemCount);
      throw new ApiError(409, {
        detail: `Prices or products changed since you looked: the total is now ${money(error.problem.cart.total)}. `
          + 'Check your order below and place it again.',
      });
    }
  });
  ctx.render(heading('Checkout'), form);
}
