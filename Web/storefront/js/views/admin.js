// `/admin/…` (role admin, checked against `GET /api/users/me` by the router): every order (ship,
// deliver, cancel), stock levels (adjust; set with If-Match), product price and on-sale edits
// (PATCH with If-Match on the product's version), and the email delivery log (retry).
import { ApiError, api, apiFull, query } from '../api.js';
import { pagination, shortId, tableBox, withQuery } from '../components.js';
import { button, checkField, field, h, heading, selectField, textField } from '../dom.js';
import { SHOP_CURRENCY, dateTime, money, statusText, toDecimal, toMinorUnits } from '../format.js';
import { here, navigate } from '../router.js';
import { flash, onSubmit, whileBusy } from '../ui.js';

const LIMIT = 20;
const ORDER_STATUSES = ['pending', 'awaiting_payment', 'confirmed', 'shipped', 'delivered', 'cancelled'];

/** Shows the page again with fresh data and a message. */
function reload(message) {
  flash(message);
  navigate(here(), { replace: true });
}

const pageNumber = (ctx) => Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1;
const pages = (ctx, result) => pagination(result, (number) => withQuery(ctx.path, ctx.query, { page: number > 1 ? number : null }));

/** A filter form whose values go into the page's query (and back to page 1). */
function filters(ctx, fields, toQuery = (values) => values) {
  return onSubmit(h('form', { class: 'filters', 'aria-label': 'Filter' }, fields, h('button', { type: 'submit' }, 'Show')),
    async (values) => navigate(withQuery(ctx.path, ctx.query, { ...toQuery(values), page: null })));
}

/** A form inside a disclosure ("Ship", "Adjust", "Edit") for one row of a table. */
function rowForm(label, test, fields, submitText, handler) {
  const form = onSubmit(h('form', { class: 'row-form' }, fields, h('button', { type: 'submit', class: 'primary' }, submitText)), handler);
  return h('details', { class: 'row-action' }, h('summary', { 'data-test': test }, label), form);
}

function actionButton(text, test, task) {
  const control = button(text, { 'data-test': test, on: { click: () => whileBusy(control, task) } });
  return control;
}

const numberInput = (name, value) => h('input', { type: 'number', name, value, class: 'short', inputmode: 'numeric' });

async function ordersSection(ctx) {
  const status = ctx.query.get('status') ?? '';
  const result = await api(`/api/orders/all${query({ status, page: pageNumber(ctx), limit: LIMIT })}`, { auth: true, signal: ctx.signal });
  const post = (order, action, body) => api(`/api/orders/${encodeURIComponent(order.id)}/${action}`, { method: 'POST', auth: true, body });
  const actions = (order) => [
    order.status === 'confirmed' && rowForm('Ship', 'admin-ship', [
      textField('Carrier', 'carrier', { maxlength: 100, required: true }),
      textField('Tracking number', 'trackingNumber', { maxlength: 100, required: true }),
    ], 'Mark shipped', async (values) => {
      await post(order, 'ship', { carrier: values.carrier, trackingNumber: values.trackingNumber });
      reload(`Order ${shortId(order.id)} is shipped.`);
    }),
    order.status === 'shipped' && actionButton('Delivered', 'admin-deliver', async () => {
      await post(order, 'deliver');
      reload(`Order ${shortId(order.id)} is delivered.`);
    }),
    ['pending', 'awaiting_payment', 'confirmed'].includes(order.status) && actionButton('Cancel', 'admin-cancel', async () => {
      await post(order, 'cancel');
      reload(`Order ${shortId(order.id)} is cancelled.`);
    }),
  ];
  return [
    filters(ctx, [selectField('Status', 'status', [['', 'Any status'], ...ORDER_STATUSES.map((value) => [value, statusText(value)])], status)]),
    h('p', {}, `${result.total} orders`),
    tableBox('Orders', ['Order', 'Placed', 'Customer', 'Items', 'Total', 'Status', 'Actions'], result.items.map((order) =>
      h('tr', { 'data-test': 'admin-order-row', 'data-order-id': order.id },
        h('td', {}, h('a', { href: `/orders/${encodeURIComponent(order.id)}` }, shortId(order.id))),
        h('td', {}, dateTime(order.placedAt)),
        h('td', { title: order.userId }, shortId(order.userId)),
        h('td', {}, order.itemCount),
        h('td', {}, money(order.total)),
        h('td', { 'data-status': order.status }, statusText(order.status, order.cancellationReason)),
        h('td', { class: 'actions' }, actions(order))))),
    pages(ctx, result),
  ];
}

/** Setting a level needs If-Match with its ETag: read when the form opens, and again after a 412. */
function setStockForm(level) {
  const path = `/api/inventory/stock/${encodeURIComponent(level.sku)}`;
  const onHand = numberInput('onHand', level.onHand);
  const threshold = numberInput('lowStockThreshold', level.lowStockThreshold);
  let etag = null;
  const read = async () => {
    const answer = await apiFull(path, { auth: true });
    etag = answer.headers.get('ETag');
    onHand.value = answer.data.onHand;
    threshold.value = answer.data.lowStockThreshold;
  };
  const disclosure = rowForm('Set count', 'stock-set', [
    field('On hand', onHand),
    field('Low-stock threshold', threshold),
    textField('Reason (optional)', 'reason', { maxlength: 200 }),
  ], 'Save count', async (values) => {
    if (!etag) await read();
    try {
      await api(path, {
        method: 'PUT',
        auth: true,
        headers: { 'If-Match': etag },
        body: { onHand: Number(values.onHand), lowStockThreshold: Number(values.lowStockThreshold), reason: values.reason || undefined },
      });
    } catch (error) {
      if (error.status === 412) await read(); // changed meanwhile: show the numbers as they are now
      throw error;
    }
    reload(`${level.sku}: stock level set.`);
  });
  disclosure.addEventListener('toggle', () => {
    if (disclosure.open && !etag) read().catch(() => { etag = null; }); // read again when saving; an error shows then
  });
  return disclosure;
}

async function stockSection(ctx) {
  const sku = ctx.query.get('sku') ?? '';
  const low = ctx.query.get('low') === 'true';
  const result = await api(`/api/inventory/stock${query({ sku, low: low ? 'true' : null, page: pageNumber(ctx), limit: LIMIT })}`,
    { auth: true, signal: ctx.signal });
  return [
    filters(ctx, [textField('SKU contains', 'sku', { value: sku, maxlength: 64 }), checkField('Only low stock', 'low', low)],
      (values) => ({ sku: values.sku.trim(), low: values.low ? 'true' : null })),
    h('p', {}, `${result.total} SKUs`),
    tableBox('Stock levels', ['SKU', 'On hand', 'Reserved', 'Available', 'Low at', 'State', 'Actions'], result.items.map((level) =>
      h('tr', { 'data-test': 'stock-row', 'data-sku': level.sku },
        h('td', {}, level.sku),
        h('td', {}, level.onHand),
        h('td', {}, level.reserved),
        h('td', {}, level.available),
        h('td', {}, level.lowStockThreshold),
        h('td', {}, !level.sellable ? 'Not sold' : level.low ? 'Low' : 'OK'),
        h('td', { class: 'actions' },
          rowForm('Adjust', 'stock-adjust', [
            field('Units to add (negative to take away)', numberInput('delta', '')),
            textField('Reason', 'reason', { maxlength: 200, required: true }),
          ], 'Adjust', async (values) => {
            await api(`/api/inventory/stock/${encodeURIComponent(level.sku)}/adjustments`,
              { method: 'POST', auth: true, body: { delta: Number(values.delta), reason: values.reason } });
            reload(`${level.sku}: stock adjusted.`);
          }),
          setStockForm(level))))),
    pages(ctx, result),
  ];
}

/** Price, former price and on sale; a PATCH that applies only to the version shown (If-Match). */
function productForm(product) {
  let version = product.version;
  const currency = product.price.currency;
  const price = h('input', { name: 'price', value: toDecimal(product.price.minorUnits, currency), inputmode: 'decimal', class: 'short' });
  const was = h('input', { name: 'compareAtPrice', value: product.compareAtPrice ? toDecimal(product.compareAtPrice.minorUnits, currency) : '', inputmode: 'decimal', class: 'short' });
  const active = h('input', { type: 'checkbox', name: 'active', id: `active-${product.id}`, checked: product.active });
  const path = `/api/catalog/products/${encodeURIComponent(product.id)}`;
  return rowForm('Edit', 'product-edit', [
    field(`Price (${currency})`, price),
    field(`Former price (${currency}, empty for none)`, was),
    h('div', { class: 'field check' }, active, h('label', { for: active.id }, 'On sale')),
  ], 'Save', async (values) => {
    const minor = toMinorUnits(values.price, currency);
    const former = values.compareAtPrice.trim() ? toMinorUnits(values.compareAtPrice, currency) : undefined;
    const errors = [];
    if (!minor) errors.push({ field: 'price', message: 'Enter an amount such as 12.50.' });
    if (former === null) errors.push({ field: 'compareAtPrice', message: 'Enter an amount such as 15.00, or nothing.' });
    if (errors.length) throw new ApiError(400, { detail: 'Check the prices.', errors });
    const body = { price: { minorUnits: minor, currency }, active: values.active === 'on' };
    if (former !== undefined) body.compareAtPrice = { minorUnits: former, currency };
    else if (product.compareAtPrice) body.compareAtPrice = null; // a merge patch's null removes it
    try {
      await api(path, { method: 'PATCH', auth: true, headers: { 'If-Match': `"${version}"` }, body });
    } catch (error) {
      if (error.status === 412) {
        // Someone changed it since this page was read: show the product as it is now.
        const { product: now } = await api(path);
        version = now.version;
        price.value = toDecimal(now.price.minorUnits, currency);
        was.value = now.compareAtPrice ? toDecimal(now.compareAtPrice.minorUnits, currency) : '';
        active.checked = now.active;
        Object.assign(product, now);
      }
      throw error;
    }
    reload(`${product.name} was saved.`);
  });
}

async function productsSection(ctx) {
  const q = ctx.query.get('q') ?? '';
  const wanted = ctx.query.get('product') ?? '';
  const [result, opened] = await Promise.all([
    api(`/api/catalog/products${query({ q, page: pageNumber(ctx), limit: LIMIT })}`, { signal: ctx.signal }),
    wanted ? api(`/api/catalog/products/${encodeURIComponent(wanted)}`, { signal: ctx.signal }).catch((error) => {
      if (error.status === 404) return null;
      throw error;
    }) : null,
  ]);
  const listed = opened ? [opened.product, ...result.items.filter((item) => item.id !== opened.product.id)] : result.items;
  return [
    filters(ctx, [
      textField('Search active products', 'q', { type: 'search', value: q, maxlength: 200 }),
      textField('Or open one by id or slug (withdrawn ones too)', 'product', { value: wanted, maxlength: 120 }),
    ]),
    wanted && !opened && h('p', { class: 'warning' }, `No product has the id or slug “${wanted}”.`),
    h('p', {}, `${result.total} active products${q ? ' match' : ''}. Prices in ${SHOP_CURRENCY} include VAT.`),
    tableBox('Products', ['Product', 'SKU', 'Price', 'Former price', 'On sale', 'Actions'], listed.map((product) =>
      h('tr', { 'data-test': 'product-row', 'data-product-id': product.id },
        h('td', {}, h('a', { href: `/p/${encodeURIComponent(product.slug || product.id)}` }, product.name)),
        h('td', {}, product.sku),
        h('td', {}, money(product.price)),
        h('td', {}, money(product.compareAtPrice)),
        h('td', {}, product.active ? 'Yes' : 'No'),
        h('td', { class: 'actions' }, productForm(product))))),
    pages(ctx, result),
  ];
}

async function emailsSection(ctx) {
  const status = ctx.query.get('status') ?? '';
  const result = await api(`/api/notifications/deliveries${query({ status, page: pageNumber(ctx), limit: LIMIT })}`,
    { auth: true, signal: ctx.signal });
  return [
    filters(ctx, [selectField('Status', 'status', [['', 'Any status'], ['pending', 'Pending'], ['sent', 'Sent'], ['failed', 'Failed']], status)]),
    h('p', {}, `${result.total} emails`),
    tableBox('Email deliveries', ['Queued', 'To', 'Subject', 'Status', 'Attempts', 'Last error', 'Actions'], result.items.map((delivery) =>
      h('tr', { 'data-test': 'delivery-row', 'data-delivery-id': delivery.id },
        h('td', {}, dateTime(delivery.createdAt)),
        h('td', {}, delivery.recipient),
        h('td', {}, delivery.subject),
        h('td', {}, delivery.status),
        h('td', {}, delivery.attempts),
        h('td', { class: 'small' }, delivery.lastError ?? ''),
        h('td', { class: 'actions' }, delivery.status !== 'sent' && actionButton('Send again', 'delivery-retry', async () => {
          await api(`/api/notifications/deliveries/${encodeURIComponent(delivery.id)}/retry`, { method: 'POST', auth: true });
          reload(`The email to ${delivery.recipient} will be sent again.`);
        }))))),
    pages(ctx, result),
  ];
}

const SECTIONS = {
  orders: ['Orders', ordersSection],
  stock: ['Stock', stockSection],
  products: ['Products', productsSection],
  emails: ['Emails', emailsSection],
};

export async function adminPage(ctx) {
  const key = ctx.params[0] ?? 'orders';
  const [title, section] = SECTIONS[key];
  const content = await section(ctx);
  ctx.render(
    heading(`Administration: ${title}`),
    h('nav', { class: 'tabs', 'aria-label': 'Administration', 'data-test': 'admin-nav' }, h('ul', {},
      Object.entries(SECTIONS).map(([name, [text]]) => h('li', {},
        h('a', { href: `/admin/${name}`, 'aria-current': name === key ? 'page' : false }, text))))),
    content);
}
