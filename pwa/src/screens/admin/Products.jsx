// Products and prices: the catalogue sales people pick from on a lead. An admin adds
// products, edits name, SKU and list price, and deactivates or reactivates them; products
// are never deleted (leads refer to them). Devices get the catalogue by sync (the `product`
// entity), so after a save this device asks for one.
import { useMemo, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { fmtMoney } from '../../format.js';
import { Field, Screen } from '../../components.jsx';
import { AdminSection, BackToList, FormEnd, ListHead, useAdminForm, useEditing, useRemote } from './common.jsx';
import { nothingToSave, saveTarget } from './form.js';
import { productBody, productForm, searchProducts, usualCurrency } from './catalog.js';

// From this many products on, a search box above the list.
const SEARCH_FROM = 8;

export function AdminProducts() {
  const remote = useRemote('/products?include_inactive=true');
  const { editing, status, open, close, done } = useEditing(remote.reload);
  const [query, setQuery] = useState('');
  const products = remote.data || [];

  if (editing) {
    return (
      <ProductForm
        product={editing === 'new' ? null : editing}
        currency={usualCurrency(products)}
        onDone={done}
        onCancel={close}
      />
    );
  }
  return (
    <AdminSection title={S.adminProducts} error={remote.error} onRetry={remote.reload}>
      <ProductList
        products={products}
        loading={remote.loading && !remote.data}
        query={query}
        setQuery={setQuery}
        status={status}
        onNew={() => open('new')}
        onEdit={open}
      />
    </AdminSection>
  );
}

function ProductList({ products, loading, query, setQuery, status, onNew, onEdit }) {
  const found = useMemo(() => searchProducts(products, query), [products, query]);
  const active = found.filter((p) => p.active);
  const inactive = found.filter((p) => !p.active);
  return (
    <>
      <ListHead intro={S.admProdIntro} status={status} newLabel={S.admProdNew} onNew={onNew} />
      {products.length >= SEARCH_FROM && (
        <label class="adm-search">
          <span>{S.admProdSearch}</span>
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      )}
      {loading ? null : !products.length ? (
        <p class="empty">{S.admProdNone}</p>
      ) : !found.length ? (
        <p class="empty">{S.admProdNoMatch(query.trim())}</p>
      ) : (
        <>
          {active.length > 0 && <ProductRows title={S.admProdActive(active.length)} list={active} onEdit={onEdit} />}
          {inactive.length > 0 && <ProductRows title={S.admProdInactive(inactive.length)} list={inactive} onEdit={onEdit} />}
        </>
      )}
    </>
  );
}

function ProductRows({ title, list, onEdit }) {
  return (
    <section>
      <h2>{title}</h2>
      <ul class="adm-products">
        {list.map((p) => (
          <li key={p.id}>
            <button type="button" class={p.active ? 'adm-product' : 'adm-product is-inactive'} onClick={() => onEdit(p)}>
              <span class="adm-product-name">{p.name}</span>
              <span class="adm-product-sub">
                <span>{p.sku || S.admProdNoSku}</span>
                <span class="adm-price">{p.list_price == null ? S.admProdNoPrice : fmtMoney(p.list_price, p.currency)}</span>
              </span>
              {!p.active && <span class="badge">{S.admProdInactiveBadge}</span>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

// The server names a taken SKU with the bare word "taken"; its message says it fully.
function skuSaidInFull(res) {
  const fields = { ...res.fields };
  if (res.status === 409 && fields.sku) fields.sku = [S.admSkuTaken];
  return fields;
}

// The add/edit form. A refusal keeps everything typed and shows the server's message at its
// field (a taken SKU at the SKU).
function ProductForm({ product, currency, onDone, onCancel }) {
  const { form, message, busy, setMessage, bind, send, refuseChecks, onSubmit } = useAdminForm(
    () => productForm(product, currency),
    { idPrefix: 'product', known: ['name', 'sku', 'list_price', 'currency', 'spec', 'faq'], fieldsOf: skuSaidInFull },
  );
  const title = product ? S.admProdEdit(product.name) : S.admProdNew;
  // The answer's product, or null when refused.
  const saveProduct = async (body) => (await send(...saveTarget('/products', product), body))?.data || null;

  const submit = onSubmit(async () => {
    const { body, errors: found } = productBody(form, product);
    if (found) return refuseChecks(found, (err) => S.admCheck[err.code]);
    if (nothingToSave(product, body)) return onDone(S.admNothingChanged, { tone: '' });
    const saved = await saveProduct(body);
    if (saved) onDone(product ? S.admProdSavedEdit(saved.name) : S.admProdSavedNew(saved.name));
  });

  async function toggleActive() {
    if (busy) return;
    setMessage('');
    const saved = await saveProduct({ active: !product.active });
    if (saved) onDone(saved.active ? S.admProdReactivated(saved.name) : S.admProdDeactivated(saved.name));
  }

  return (
    <Screen title={title}>
      <BackToList label={`← ${S.adminProducts}`} onBack={onCancel} />
      {product && !product.active && <p class="note">{S.admProdInactiveHelp}</p>}
      <form class="form" onSubmit={submit} noValidate>
        <Field name="name" label={S.admProdName} required autocomplete="off" {...bind('name')} />
        <Field name="sku" label={S.admProdSku} autocomplete="off" autocapitalize="characters" {...bind('sku')} />
        <div class="adm-price-row">
          <Field name="list_price" label={S.admProdPrice} inputMode="decimal" autocomplete="off" {...bind('list_price')} />
          <Field name="currency" label={S.admProdCurrency} maxLength={3} autocomplete="off" autocapitalize="characters"
            placeholder="EUR" {...bind('currency')} />
        </div>
        <Field name="spec" label={S.admProdSpec} multiline rows={4} maxLength={4000} {...bind('spec')} />
        <Field name="faq" label={S.admProdFaq} multiline rows={5} maxLength={8000} {...bind('faq')} />
        <p class="adm-help">{S.admProdFactsHelp}</p>
        <FormEnd message={message} busy={busy} label={product ? S.admProdSaveEdit : S.admProdAdd} onCancel={onCancel} />
      </form>
      {product && (
        <section class="adm-active">
          <p class="muted">{S.admProdActiveHelp}</p>
          <button type="button" class={product.active ? 'adm-deactivate' : ''} disabled={busy} onClick={toggleActive}>
            {product.active ? S.admProdDeactivate : S.admProdReactivate}
          </button>
        </section>
      )}
    </Screen>
  );
}
