// `/`: featured products (the newest when none is featured) and the category tree.
import { api } from '../api.js';
import { categories, categoryHref } from '../catalog.js';
import { productGrid } from '../components.js';
import { h, heading } from '../dom.js';

const COUNT = 8;

function categoryList(nodes) {
  return h('ul', { class: 'category-tree' }, nodes.map((node) => h('li', {},
    h('a', { href: categoryHref(node), 'data-test': 'category-link' }, node.name),
    h('span', { class: 'muted' }, ` (${node.productCount})`),
    node.children.length > 0 && categoryList(node.children))));
}

export async function homePage(ctx) {
  const [featured, tree] = await Promise.all([
    api(`/api/catalog/products?featured=true&limit=${COUNT}`, { signal: ctx.signal }),
    categories(),
  ]);
  const products = featured.items.length ? featured : await api(`/api/catalog/products?limit=${COUNT}`, { signal: ctx.signal });
  ctx.render(
    heading('Welcome to Bazaar'),
    h('p', { class: 'lead' }, 'Cables, switches, tools and everything else for the electrical trade.'),
    h('section', { 'aria-labelledby': 'featured-heading' },
      h('h2', { id: 'featured-heading' }, featured.items.length ? 'Featured products' : 'New products'),
      productGrid(products.items),
      h('p', {}, h('a', { href: '/search', class: 'more' }, 'See all products'))),
    h('section', { 'aria-labelledby': 'categories-heading' },
      h('h2', { id: 'categories-heading' }, 'Categories'),
      categoryList(tree)));
}
