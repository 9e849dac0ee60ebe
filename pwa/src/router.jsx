// A tiny history router: paths are real URLs (Flask and the service worker answer them all
// with index.html), so a notification can open /leads/<id> directly.
import { useEffect, useState } from 'preact/hooks';

const subs = new Set();

export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  for (const s of subs) s(location.pathname);
}

addEventListener('popstate', () => {
  for (const s of subs) s(location.pathname);
});

export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    subs.add(setPath);
    return () => subs.delete(setPath);
  }, []);
  return path;
}

export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
