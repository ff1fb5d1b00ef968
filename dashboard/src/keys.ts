import { useEffect, useRef, useState } from 'preact/hooks';

/** True when a key press belongs to a text field, not to page navigation. */
export const typing = (e: KeyboardEvent) => {
  const t = e.target as HTMLElement | null;
  return (
    !!t &&
    (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)
  );
};

/**
 * j/k move through rows, Enter opens the selected one, Esc calls `onEscape` (close a panel); Esc in a
 * text field leaves it, so j/k work next. Returns the selected index and its setter (a click selects too).
 */
export function useRowKeys(
  count: number,
  onOpen: (index: number) => void,
  onEscape?: () => void,
): [number, (i: number) => void] {
  const [selected, setSelected] = useState(-1);
  // The handler reads the latest values through a ref: keys pressed faster than a render (j then
  // Enter) must act on the row j just selected.
  const latest = useRef({ selected, count, onOpen, onEscape });
  latest.current.count = count;
  latest.current.onOpen = onOpen;
  latest.current.onEscape = onEscape;
  const select = (i: number) => {
    latest.current.selected = i;
    setSelected(i);
  };
  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      const now = latest.current;
      if (e.key === 'Escape' && typing(e)) {
        (e.target as HTMLElement).blur();
        return;
      }
      if (e.key === 'Escape' && now.onEscape) {
        now.onEscape();
        return;
      }
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'j') select(Math.min(now.count - 1, now.selected + 1));
      else if (e.key === 'k') select(Math.max(0, now.selected - 1));
      else if (e.key === 'Enter' && now.selected >= 0 && now.selected < now.count) now.onOpen(now.selected);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', handler);
    return () => window.removeEventListener('keydown', handler);
  }, []);
  useEffect(() => {
    document.querySelector('tr[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return [selected, select];
}
