// `/cart`: the cart priced now, as a guest or signed in. Lines whose price changed show both
// prices; lines that cannot be ordered are flagged as the cart service reports them
// (`available: false`, `problem`), left out of the totals, and block checkout until removed.
import { cartCall } from '../cart.js';
import { productImage, totals } from '../components.js';
import { h, heading, hidden } from '../dom.js';
import { money } from '../format.js';
import { notify, onSubmit, whileBusy } from '../ui.js';

const PROBLEMS = {
  unknown_product: 'This product is not in our catalog.',
  inactive: 'This product is not for sale at the moment.',
  deleted: 'This product is no longer sold.',
};

function cartLine(line, change) {
  const path = `/items/${encodeURIComponent(line.productId)}`;
  const quantity = h('input', {
    type: 'number', name: 'quantity', id: `quantity-${line.productId}`, value: line.quantity, min: '1', max: '99',
    inputmode: 'numeric', class: 'short', 'data-test': 'line-quantity',
  });
  const form = onSubmit(h('form', { class: 'line-quantity' },
    h('label', { for: quantity.id }, 'Quantity', hidden(` of ${line.name}`)),
    quantity,
    h('button', { type: 'submit', 'data-test': 'line-update' }, 'Update'),
    h('p', { class: 'field-error', id: `${quantity.id}-error`, 'data-test': 'field-error', hidden: true })),
  async (values) => {
    const cart = await cartCall(path, { method: 'PATCH', body: { quantity: Number(values.quantity) } });
    change(cart, `Quantity of ${line.name} changed to ${values.quantity}.`, line.productId);
  });
  const remove = h('button', {
    type: 'button',
    class: 'link-button',
    'data-test': 'line-remove',
    on: {
      click: () => whileBusy(remove, async () => {
        change(await cartCall(path, { method: 'DELETE' }), `${line.name} was removed from your cart.`);
      }),
    },
  }, 'Remove', hidden(` ${line.name}`));

  return h('li', { class: `cart-line${line.available ? '' : ' unavailable'}`, 'data-test': 'cart-line', 'data-product-id': line.productId },
    productImage(line.imageUrl, '', 'mini'),
    h('div', { class: 'line-main' },
      h('h2', { class: 'line-name' }, h('a', { href: `/p/${encodeURIComponent(line.productId)}` }, line.name || line.productId)),
      line.priceChanged && line.previousUnitPrice
        ? h('p', { class: 'price-changed', 'data-test': 'price-changed' }, 'The price changed: ',
          h('del', {}, hidden('was '), money(line.previousUnitPrice)), ' now ', h('strong', {}, money(line.unitPrice)), ' each')
        : h('p', {}, money(line.unitPrice), ' each'),
      !line.available && h('p', { class: 'warning', 'data-test': 'line-unavailable' },
        PROBLEMS[line.problem] ?? 'This product cannot be ordered.', ' It is not counted in the total; remove it to check out.'),
      form),
    h('div', { class: 'line-end' },
      h('p', { class: 'line-total', 'data-test': 'line-total' }, money(line.lineTotal)),
      remove));
}

export async function cartPage(ctx) {
  const show = (cart, message, focusId) => {
    if (message) notify(message);
    const blocked = cart.unavailableProductIds.length > 0;
    ctx.render(
      heading('Your cart'),
      cart.lines.length === 0
        ? h('p', { 'data-test': 'cart-empty' }, 'Your cart is empty. ', h('a', { href: '/' }, 'Find something you like.'))
        : h('div', { class: 'cart' },
          h('ul', { class: 'cart-lines' }, cart.lines.map((line) => cartLine(line, show))),
          h('section', { class: 'summary', 'aria-labelledby': 'summary-heading' },
            h('h2', { id: 'summary-heading' }, 'Summary'),
            totals(cart),
            blocked
              ? h('p', { class: 'warning', 'data-test': 'checkout-blocked' }, 'Remove the products that cannot be ordered to check out.')
              : h('a', { href: '/checkout', class: 'button primary', 'data-test': 'checkout-link' }, 'Check out'))));
    const focus = focusId && document.getElementById(`quantity-${focusId}`);
    if (message) (focus ?? document.querySelector('#app h1'))?.focus();
  };
  show(await cartCall('', { signal: ctx.signal }));
}
