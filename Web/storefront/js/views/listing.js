// `/c/<slug or id>` and `/search?q=`: products with filters, sort and pages, all in the URL's
// query under the catalog's own parameter names (brand, minPrice, maxPrice in minor units, sort, page).
import { ApiError, api, query } from '../api.js';
import { brands, categories, categoryHref, findCategory } from '../catalog.js';
import { breadcrumbs, pagination, productGrid, withQuery } from '../components.js';
import { h, heading, selectField, textField } from '../dom.js';
import { SHOP_CURRENCY, toDecimal, toMinorUnits } from '../format.js';
import { navigate } from '../router.js';
import { onSubmit, showError } from '../ui.js';

const LIMIT = 24;
const SORTS = [['price', 'Price, low to high'], ['-price', 'Price, high to low'], ['name', 'Name, A to Z']];

function filterForm(ctx, brandItems, searching) {
  const q = ctx.query;
  const price = (name) => {
    const minor = Number.parseInt(q.get(name) ?? '', 10);
    return Number.isFinite(minor) && minor >= 0 ? toDecimal(minor) : q.get(name) ?? '';
  };
  const sorts = searching ? [['', 'Best match'], ['newest', 'Newest'], ...SORTS] : [['', 'Newest'], ...SORTS];
  const form = h('form', { class: 'filters', 'aria-label': 'Filter and sort', 'data-test': 'filters' },
    selectField('Brand', 'brand', [['', 'All brands'], ...brandItems.map((brand) => [brand.slug, brand.name])], q.get('brand')),
    textField(`Lowest price (${SHOP_CURRENCY})`, 'minPrice', { value: price('minPrice'), inputmode: 'decimal', class: 'short' }),
    textField(`Highest price (${SHOP_CURRENCY})`, 'maxPrice', { value: price('maxPrice'), inputmode: 'decimal', class: 'short' }),
    selectField('Sort by', 'sort', sorts, q.get('sort'), { 'data-test': 'sort' }),
    h('button', { type: 'submit', 'data-test': 'apply-filters' }, 'Apply'));
  return onSubmit(form, async (values) => {
    const changes = { brand: values.brand, sort: values.sort, page: null };
    const errors = [];
    for (const name of ['minPrice', 'maxPrice']) {
      const text = values[name].trim();
      changes[name] = text ? toMinorUnits(text) : null;
      if (text && changes[name] === null) errors.push({ field: name, message: 'Enter an amount such as 12.50.' });
    }
    if (errors.length) throw new ApiError(400, { detail: 'Check the price range.', errors });
    navigate(withQuery(ctx.path, q, changes));
  });
}

async function listing(ctx, { title, before = [], category, q }) {
  const page = Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1;
  const params = {
    category,
    q,
    brand: ctx.query.get('brand'),
    minPrice: ctx.query.get('minPrice'),
    maxPrice: ctx.query.get('maxPrice'),
    sort: ctx.query.get('sort'),
    page,
    limit: LIMIT,
  };
  const brandItems = await brands();
  const form = filterForm(ctx, brandItems, Boolean(q));
  let result;
  try {
    result = await api(`/api/catalog/products${query(params)}`, { signal: ctx.signal });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    // A hand-edited address (sort=cheap, minPrice=-1): show the form with the problem.
    ctx.render(heading(title), ...before, form);
    showError(error, form);
    return;
  }
  const found = result.total === 1 ? '1 product' : `${result.total} products`;
  ctx.render(
    heading(title),
    ...before,
    form,
    h('h2', { class: 'result-count', 'data-test': 'result-count' }, found),
    result.items.length ? productGrid(result.items) : h('p', { 'data-test': 'no-results' }, 'No products match. Try fewer filters or other words.'),
    pagination(result, (number) => withQuery(ctx.path, ctx.query, { page: number > 1 ? number : null })));
}

export async function categoryPage(ctx) {
  const [slug] = ctx.params;
  const found = findCategory(await categories(), slug);
  if (!found) {
    ctx.render(heading('Category not found'), h('p', {}, 'There is no such category. ', h('a', { href: '/' }, 'See all categories.')));
    return;
  }
  const { node, path } = found;
  const before = [breadcrumbs([['Home', '/'], ...path.map((step) => [step.name, categoryHref(step)])])];
  if (node.children.length) {
    before.push(h('nav', { 'aria-label': 'Sub-categories' }, h('ul', { class: 'chips' },
      node.children.map((child) => h('li', {}, h('a', { href: categoryHref(child) }, child.name))))));
  }
  await listing(ctx, { title: node.name, before, category: node.id });
}

export async function searchPage(ctx) {
  const q = (ctx.query.get('q') ?? '').trim();
  document.getElementById('search-q').value = q;
  await listing(ctx, { title: q ? `Results for “${q}”` : 'All products', q });
}
