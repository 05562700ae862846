// The category tree and the brands: fetched once per page load and shared by the header, the
// home page, listings and product pages (the catalog caches them for an hour anyway).
import { api } from './api.js';

let brandList = null;

function once(load) {
  let promise = null;
  return () => {
    promise ??= load().catch((error) => {
      promise = null; // try again next time
      throw error;
    });
    return promise;
  };
}

/** The top-level CategoryNodes, each with `children`. */
export const categories = once(async () => (await api('/api/catalog/categories')).items);

export const brands = once(async () => {
  brandList = (await api('/api/catalog/brands')).items;
  return brandList;
});

/** The node named by slug or id, with the path from the top: `{node, path}` or null. */
export function findCategory(nodes, slugOrId, path = []) {
  for (const node of nodes) {
    const here = [...path, node];
    if (node.slug === slugOrId || node.id === slugOrId) return { node, path: here };
    const found = findCategory(node.children ?? [], slugOrId, here);
    if (found) return found;
  }
  return null;
}

/** A brand's name from its id (products name their brand by id), once brands() has answered. */
export const brandName = (id) => brandList?.find((brand) => brand.id === id)?.name ?? '';

/** The link to a category page (by slug, as the catalog accepts either). */
export const categoryHref = (category) => `/c/${encodeURIComponent(category.slug || category.id)}`;

/** The link to a product page. */
export const productHref = (product) => `/p/${encodeURIComponent(product.slug || product.id)}`;
