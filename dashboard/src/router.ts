import { useEffect, useState } from 'preact/hooks';

/**
 * A tiny history router: the path picks the page, the query string holds every filter, so any view
 * can be bookmarked, shared and reloaded.
 */
export interface Location {
  path: string;
  params: URLSearchParams;
}

const read = (): Location => ({ path: location.pathname, params: new URLSearchParams(location.search) });
const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const fn of listeners) fn();
});

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const fn of listeners) fn();
}

/** Replaces the query string of the current page (filters changed). */
export function setParams(params: URLSearchParams, options: { replace?: boolean } = {}) {
  const qs = params.toString();
  navigate(`${location.pathname}${qs ? `?${qs}` : ''}`, options);
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const fn = () => setLoc(read());
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
    };
  }, []);
  return loc;
}

/** An in-app link: no full reload, but still a real `href` (open in a new tab, copy link). */
export function onLinkClick(event: MouseEvent, href: string) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(href);
}
