// Products and prices: the catalogue sales people pick from on a lead. An admin adds
// products, edits name, SKU and list price, and deactivates or reactivates them; products
// are never deleted (leads refer to them). Devices get the catalogue by sync (the `product`
// entity), so after a save this device asks for one.
import { useMemo, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { fmtMoney } from '../../format.js';
import { Field, Screen } from '../../components.jsx';
import { BackToAdmin, RemoteError, save, useRemote, splitRefusal } from './common.jsx';
import { productBody, productForm, searchProducts, usualCurrency } from './catalog.js';

// From this many products on, a search box above the list.
const SEARCH_FROM = 8;

export function AdminProducts() {
  const remote = useRemote('/products?include_inactive=true');
  const [editing, setEditing] = useState(null); // null: the list; 'new'; or the product
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState({ text: '', tone: '' }); // tone 'ok': a save went through
  const products = remote.data || [];

  function done(text, tone = 'ok') {
    setEditing(null);
    setStatus({ text, tone });
    remote.reload();
  }

  if (editing) {
    return (
      <ProductForm
        product={editing === 'new' ? null : editing}
        currency={usualCurrency(products)}
        onDone={done}
        onCancel={() => setEditing(null)}
      />
    );
  }
  return (
    <Screen title={S.adminProducts}>
      <BackToAdmin />
      {remote.error ? (
        <RemoteError error={remote.error} onRetry={remote.reload} />
      ) : (
        <ProductList
          products={products}
          loading={remote.loading && !remote.data}
          query={query}
          setQuery={setQuery}
          status={status}
          onNew={() => { setStatus({ text: '', tone: '' }); setEditing('new'); }}
          onEdit={(p) => { setStatus({ text: '', tone: '' }); setEditing(p); }}
        />
      )}
    </Screen>
  );
}

function ProductList({ products, loading, query, setQuery, status, onNew, onEdit }) {
  const found = useMemo(() => searchProducts(products, query), [products, query]);
  const active = found.filter((p) => p.active);
  const inactive = found.filter((p) => !p.active);
  return (
    <>
      <p class="muted">{S.admProdIntro}</p>
      <p class={`adm-status ${status.tone}`} role="status">{status.text}</p>
      <button type="button" class="primary" onClick={onNew}>{S.admProdNew}</button>
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

// The add/edit form. A refusal keeps everything typed and shows the server's message at its
// field (a taken SKU at the SKU).
function ProductForm({ product, currency, onDone, onCancel }) {
  const [form, setForm] = useState(() => productForm(product, currency));
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const title = product ? S.admProdEdit(product.name) : S.admProdNew;

  const bind = (k) => ({
    value: form[k],
    onInput: (e) => {
      setForm({ ...form, [k]: e.currentTarget.value });
      if (errors[k]) setErrors({ ...errors, [k]: undefined });
    },
    error: errors[k],
    idPrefix: 'product',
  });

  async function send(body) {
    setBusy(true);
    const res = product ? await save('PATCH', `/products/${product.id}`, body) : await save('POST', '/products', body);
    setBusy(false);
    if (res.ok) {
      return res.data;
    }
    const fields = { ...res.fields };
    // The server names a taken SKU with the bare word "taken"; its message says it fully.
    if (res.status === 409 && fields.sku) fields.sku = [S.admSkuTaken];
    const { inPlace, message } = splitRefusal(res, ['name', 'sku', 'list_price', 'currency'], fields);
    setErrors(inPlace);
    setMessage(message);
    return null;
  }

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setMessage('');
    const { body, errors: found } = productBody(form, product);
    if (found) {
      setErrors(Object.fromEntries(Object.entries(found).map(([f, err]) => [f, [S.admCheck[err.code]]])));
      setMessage(S.admNotSaved);
      return;
    }
    if (product && !Object.keys(body).length) {
      onDone(S.admNothingChanged, '');
      return;
    }
    const saved = await send(body);
    if (saved) onDone(product ? S.admProdSavedEdit(saved.name) : S.admProdSavedNew(saved.name));
  }

  async function toggleActive() {
    if (busy) return;
    setMessage('');
    const saved = await send({ active: !product.active });
    if (saved) onDone(saved.active ? S.admProdReactivated(saved.name) : S.admProdDeactivated(saved.name));
  }

  return (
    <Screen title={title}>
      <p class="back"><button type="button" class="link" onClick={onCancel}>{`← ${S.adminProducts}`}</button></p>
      {product && !product.active && <p class="note">{S.admProdInactiveHelp}</p>}
      <form class="form" onSubmit={submit} noValidate>
        <Field name="name" label={S.admProdName} required autocomplete="off" {...bind('name')} />
        <Field name="sku" label={S.admProdSku} autocomplete="off" autocapitalize="characters" {...bind('sku')} />
        <div class="adm-price-row">
          <Field name="list_price" label={S.admProdPrice} inputMode="decimal" autocomplete="off" {...bind('list_price')} />
          <Field name="currency" label={S.admProdCurrency} maxLength={3} autocomplete="off" autocapitalize="characters"
            placeholder="EUR" {...bind('currency')} />
        </div>
        {message && <p class="error" role="alert">{message}</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? S.admSaving : product ? S.admProdSaveEdit : S.admProdAdd}
          </button>
          <button type="button" onClick={onCancel}>{S.cancel}</button>
        </div>
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
