// Pieces several pages share: product cards, prices, totals, pagination, breadcrumbs, addresses.
import { brandName, productHref } from './catalog.js';
import { checkField, h, hidden, textField } from './dom.js';
import { money } from './format.js';

/** An image from the API; a plain box instead when there is none or it does not load. */
export function productImage(url, alt, className = 'thumb') {
  const frame = h('div', { class: `image-frame ${className}` });
  if (!url) {
    frame.classList.add('no-image');
    return frame;
  }
  const image = h('img', {
    src: url,
    alt: alt ?? '',
    loading: 'lazy',
    decoding: 'async',
    on: {
      error: () => {
        image.remove();
        frame.classList.add('no-image');
      },
    },
  });
  frame.append(image);
  return frame;
}

/** The price, and the former price struck through when the catalog has one. */
export function priceTag(product) {
  return h('p', { class: 'price' },
    h('span', { class: 'price-now', 'data-test': 'product-price' }, money(product.price)),
    product.compareAtPrice && h('del', { class: 'price-was', 'data-test': 'compare-at-price' }, hidden('Was '), money(product.compareAtPrice)));
}

function productCard(product) {
  return h('li', { class: 'card', 'data-test': 'product-card' },
    productImage(product.images?.[0]?.url, ''),
    h('h3', { class: 'card-title' }, h('a', { href: productHref(product) }, product.name)),
    brandName(product.brand) && h('p', { class: 'muted' }, brandName(product.brand)),
    priceTag(product));
}

export const productGrid = (products) => h('ul', { class: 'grid', 'data-test': 'product-grid' }, products.map(productCard));

/** `path` with its query changed: `changes` values replace, null or '' remove. */
export function withQuery(path, query, changes) {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '') next.delete(key);
    else next.set(key, String(value));
  }
  const text = next.toString();
  return text ? `${path}?${text}` : path;
}

/** Previous / "Page n of m" / Next for a `{page, limit, total}` answer; null for one page. */
export function pagination({ page, limit, total }, hrefFor) {
  const pages = Math.max(1, Math.ceil(total / limit));
  if (pages <= 1) return null;
  return h('nav', { class: 'pagination', 'aria-label': 'Pages', 'data-test': 'pagination' },
    page > 1 && h('a', { href: hrefFor(page - 1), rel: 'prev' }, 'Previous'),
    h('span', {}, `Page ${Math.min(page, pages)} of ${pages}`),
    page < pages && h('a', { href: hrefFor(page + 1), rel: 'next' }, 'Next'));
}

/** `[[text, href], …]`; the last is the current page. */
export function breadcrumbs(items) {
  return h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
    h('ol', {}, items.map(([text, href], index) => h('li', {},
      index === items.length - 1 ? h('span', { 'aria-current': 'page' }, text) : h('a', { href }, text)))));
}

/** Subtotal, shipping, total and the VAT it contains, of a cart or an order. */
export function totals({ subtotal, shipping, vatIncluded, total }) {
  const row = (label, text, test) => [h('dt', {}, label), h('dd', { 'data-test': test }, text)];
  return h('dl', { class: 'totals' },
    row('Subtotal', money(subtotal), 'subtotal'),
    row('Shipping', shipping.minorUnits === 0 && subtotal.minorUnits > 0 ? 'Free' : money(shipping), 'shipping'),
    row('Total', money(total), 'total'),
    row('VAT included', money(vatIncluded), 'vat'));
}

const ADDRESS_KEYS = ['name', 'line1', 'line2', 'city', 'postalCode', 'country', 'phone'];

/** The postal fields of a saved address or of form values, empty optional ones left out. */
export function postal(values) {
  const address = {};
  for (const key of ADDRESS_KEYS) {
    const value = typeof values[key] === 'string' ? values[key].trim() : '';
    if (value) address[key] = value;
  }
  return address;
}

/** An address on several lines, as `<address>` (or `tag`, e.g. a span inside a label). */
export function addressBlock(address, tag = 'address') {
  const lines = [address.name, address.line1, address.line2, `${address.postalCode} ${address.city}`, address.country, address.phone]
    .filter(Boolean);
  return h(tag, { class: 'address' }, lines.flatMap((line, index) => (index ? [h('br'), line] : [line])));
}

/** The fields of an address form, named as the user service's AddressInput names them. */
export function addressFields(values = {}, withDefault = true) {
  return [
    textField('Full name', 'name', { value: values.name, autocomplete: 'name', maxlength: 100, required: true }),
    textField('Address', 'line1', { value: values.line1, autocomplete: 'address-line1', maxlength: 200, required: true }),
    textField('Address line 2 (optional)', 'line2', { value: values.line2, autocomplete: 'address-line2', maxlength: 200 }),
    h('div', { class: 'field-row' },
      textField('Postal code', 'postalCode', { value: values.postalCode, autocomplete: 'postal-code', maxlength: 16, required: true }),
      textField('City', 'city', { value: values.city, autocomplete: 'address-level2', maxlength: 100, required: true })),
    textField('Country', 'country', { value: values.country, autocomplete: 'country', maxlength: 2, required: true, class: 'short' },
      'Two-letter code, e.g. DE, FR or GB.'),
    textField('Phone (optional)', 'phone', { value: values.phone, type: 'tel', autocomplete: 'tel', maxlength: 20 }),
    withDefault && checkField('Use as my default address', 'isDefault', values.isDefault),
  ];
}

/** An AddressInput from an address form's values. */
export const addressInput = (values) => ({ ...postal(values), isDefault: values.isDefault === 'on' });

/** The first 8 characters of an order id: enough to tell a shopper's orders apart. */
export const shortId = (id) => id.slice(0, 8);

/** A table that scrolls sideways inside its own box on narrow screens instead of widening the page. */
export const tableBox = (caption, headings, rows) => h('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-label': caption },
  h('table', {}, h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, headings.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, rows)));
