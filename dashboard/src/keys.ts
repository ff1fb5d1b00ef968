import { useEffect, useState } from 'preact/hooks';

/** True when a key press belongs to a text field, not to page navigation. */
export const typing = (e: KeyboardEvent) => {
  const t = e.target as HTMLElement | null;
  return (
    !!t &&
    (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)
  );
};

/**
 * j/k move through rows, Enter opens the selected one, Esc calls `onEscape` (close a panel).
 * Returns the selected index and its setter (a click selects too).
 */
export function useRowKeys(
  count: number,
  onOpen: (index: number) => void,
  onEscape?: () => void,
): [number, (i: number) => void] {
  const [selected, setSelected] = useState(-1);
  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && onEscape) {
        onEscape();
        return;
      }
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'j') setSelected((s) => Math.min(count - 1, s + 1));
      else if (e.key === 'k') setSelected((s) => Math.max(0, s - 1));
      else if (e.key === 'Enter' && selected >= 0 && selected < count) onOpen(selected);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', handler);
    return () => window.removeEventListener('keydown', handler);
  }, [count, selected, onOpen, onEscape]);
  useEffect(() => {
    document.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return [selected, setSelected];
}
