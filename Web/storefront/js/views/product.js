// `/p/<slug or id>`: pictures, price (and the former price), details, live availability from the
// inventory, quantity and Add to cart.
import { api } from '../api.js';
import { cartCall } from '../cart.js';
import { categoryHref } from '../catalog.js';
import { breadcrumbs, priceTag, productImage } from '../components.js';
import { field, h, heading } from '../dom.js';
import { onSubmit } from '../ui.js';

/** At or below this many units the page says "Only n left" (the availability answer has no threshold). */
const LOW_STOCK = 10;

function gallery(images) {
  if (!images.length) return h('div', { class: 'gallery' }, productImage(null, '', 'hero'));
  let shown = productImage(images[0].url, images[0].alt, 'hero');
  const show = (image) => {
    const next = productImage(image.url, image.alt, 'hero');
    shown.replaceWith(next);
    shown = next;
  };
  return h('div', { class: 'gallery' }, shown, images.length > 1 && h('ul', { class: 'thumbs' },
    images.map((image, index) => h('li', {}, h('button', {
      type: 'button',
      class: 'thumb-button',
      'aria-label': `Show picture ${index + 1}`,
      on: { click: () => show(image) },
    }, productImage(image.url, '', 'mini'))))));
}

async function showAvailability(product, ctx, { line, quantity, submit }) {
  try {
    const answer = await api(`/api/inventory/availability?skus=${encodeURIComponent(product.sku)}`, { signal: ctx.signal });
    const stock = answer.availability[product.sku];
    if (!stock?.inStock) {
      line.textContent = 'Out of stock';
      line.classList.add('out');
      quantity.disabled = true;
      submit.disabled = true;
      return;
    }
    line.textContent = stock.available <= LOW_STOCK ? `Only ${stock.available} left` : 'In stock';
    if (stock.available <= LOW_STOCK) line.classList.add('low');
    quantity.max = String(Math.min(99, stock.available));
  } catch (error) {
    if (error.name !== 'AbortError') line.textContent = 'Availability could not be checked just now.';
  }
}

export async function productPage(ctx) {
  const [slugOrId] = ctx.params;
  let detail;
  try {
    detail = await api(`/api/catalog/products/${encodeURIComponent(slugOrId)}`, { signal: ctx.signal });
  } catch (error) {
    if (error.status !== 404) throw error;
    ctx.render(heading('Product not found'), h('p', {}, 'We have no such product. ', h('a', { href: '/search' }, 'See all products.')));
    return;
  }
  const { product, brand, categoryPaths } = detail;
  const path = categoryPaths.find((steps) => steps.length) ?? [];

  const line = h('p', { class: 'availability', 'data-test': 'availability' }, product.active ? 'Checking availability…' : 'No longer sold');
  const quantity = h('input', { type: 'number', name: 'quantity', value: '1', min: '1', max: '99', inputmode: 'numeric', class: 'short', 'data-test': 'quantity' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-test': 'add-to-cart', disabled: !product.active }, 'Add to cart');
  const added = h('p', { role: 'status', 'data-test': 'added-to-cart' });
  const form = onSubmit(h('form', { class: 'buy' }, field('Quantity', quantity), submit), async (values) => {
    added.textContent = '';
    const cart = await cartCall('/items', { method: 'POST', body: { productId: product.id, quantity: Number(values.quantity) } });
    added.append(`Added to your cart, which now holds ${cart.itemCount} ${cart.itemCount === 1 ? 'item' : 'items'}. `,
      h('a', { href: '/cart' }, 'View your cart'));
  });
  if (!product.active) quantity.disabled = true;

  const attributes = Object.entries(product.attributes ?? {});
  ctx.render(
    breadcrumbs([['Home', '/'], ...path.map((step) => [step.name, categoryHref(step)]), [product.name, '']]),
    h('div', { class: 'product' },
      gallery(product.images ?? []),
      h('div', { class: 'product-info' },
        heading(product.name, { 'data-test': 'product-title' }),
        brand && h('p', { class: 'muted' }, brand.name),
        priceTag(product),
        h('p', { class: 'muted small' }, `Prices include VAT. Article number ${product.sku}.`),
        line,
        form,
        added)),
    product.description && h('section', { 'aria-labelledby': 'description-heading' },
      h('h2', { id: 'description-heading' }, 'Description'),
      h('p', { class: 'description' }, product.description)),
    attributes.length > 0 && h('section', { 'aria-labelledby': 'details-heading' },
      h('h2', { id: 'details-heading' }, 'Details'),
      h('dl', { class: 'attributes' }, attributes.map(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]))));
  if (product.active) showAvailability(product, ctx, { line, quantity, submit });
}
