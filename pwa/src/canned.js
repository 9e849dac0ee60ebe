// Canned answers on the device: searched while replying and filled in for the question at
// hand offline, exactly as the server's app/questions/canned.py does it: one regular-expression
// pass over {{ name }} tokens (a value put in is never scanned again; nothing is evaluated),
// known names only, a missing value empty, an unknown placeholder left as written.

// The server's PLACEHOLDER, letter for letter.
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;

export function fill(body, values) {
  return String(body ?? '').replace(PLACEHOLDER, (token, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? values[name] : token);
}

// A decimal string rounded half-even to two places: "1250.005" -> "1250.00", "0.015" -> "0.02".
function halfEven2(text) {
  let s = String(text).trim();
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  if (/e/i.test(s)) s = Number(s).toFixed(6); // never for a catalogue price, but stay a number
  let [int, frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  if (frac.length > 2) {
    const keep = frac.slice(0, 2);
    const rest = frac.slice(2);
    const first = Number(rest[0]);
    const beyond = /[1-9]/.test(rest.slice(1));
    const last = Number(keep[1]);
    const up = first > 5 || (first === 5 && (beyond || last % 2 === 1));
    const cents = BigInt(int + keep) + (up ? 1n : 0n);
    const digits = cents.toString().padStart(3, '0');
    int = digits.slice(0, -2);
    frac = digits.slice(-2);
  } else {
    frac = frac.padEnd(2, '0');
  }
  return { negative: negative && /[1-9]/.test(int + frac), int, frac };
}

// "1,250.00 EUR": thousands by commas, two places (half-even), then the currency code; no
// price: empty (the server's format_price).
export function formatPrice(amount, currency) {
  if (amount == null || amount === '') return '';
  const { negative, int, frac } = halfEven2(amount);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${negative ? '-' : ''}${grouped}.${frac}`;
  return currency ? `${text} ${currency}` : text;
}

// What each known placeholder stands for in a reply to `question` by `me`: the product is the
// question's, else the answer's; a product priced without a currency is priced in the
// organisation's. `products`: the synced catalogue; `org`: the org record (name, currency).
export function placeholderValues({ question, answer, products = [], org = {}, me = null }) {
  const productId = question?.product_id || answer?.product_id || null;
  const product = productId ? products.find((p) => p.id === productId) : null;
  const currency = product ? product.currency || org?.currency || null : null;
  return {
    'consumer.name': question?.name || '',
    'consumer.email': question?.email || '',
    'product.name': product ? product.name || '' : '',
    'product.list_price': product ? formatPrice(product.list_price, currency) : '',
    'org.name': org?.name || '',
    'staff.name': me?.name || '',
  };
}

export const renderCanned = (ctx) => fill(ctx.answer?.body, placeholderValues(ctx));

// The active answers matching what is typed (title, body or a tag, any case) — those for the
// question's product first, then by title. Empty search: the product's and general ones.
export function searchCanned(answers, text, productId = null) {
  const needle = (text || '').trim().toLocaleLowerCase();
  const found = [];
  for (const a of answers || []) {
    if (a.active === false) continue;
    if (needle) {
      const hay = [a.title, a.body, ...(a.tags || [])].join('\n').toLocaleLowerCase();
      if (!hay.includes(needle)) continue;
    } else if (a.product_id && a.product_id !== productId) {
      continue;
    }
    found.push(a);
  }
  const mine = (a) => (productId && a.product_id === productId ? 0 : 1);
  return found.sort((a, b) => mine(a) - mine(b) || (a.title || '').localeCompare(b.title || ''));
}
