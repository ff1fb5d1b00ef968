import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { useQuery } from '../use-query';

interface Suggestions {
  data: { key?: string; value?: string; spans: number }[];
}

/**
 * A `key=value` chip entry with suggestions from the tags that exist in the window: keys until `=` is
 * typed, then that key's values (native datalist: keyboard-friendly and tiny).
 */
export function TagInput({
  from,
  to,
  onAdd,
}: {
  from?: string;
  to?: string;
  onAdd: (key: string, value: string) => void;
}) {
  const [text, setText] = useState('');
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at) : null;
  const window = new URLSearchParams();
  if (from) window.set('from', from);
  if (to) window.set('to', to);
  window.set('prefix', key === null ? text : text.slice(at + 1));
  if (key !== null) window.set('key', key);
  const path = key === null ? `/v2/tags/keys?${window}` : `/v2/tags/values?${window}`;
  const suggestions = useQuery(path, () => api<Suggestions>('GET', path));
  const options = (suggestions.data?.data ?? []).map((s) =>
    key === null ? `${s.key}=` : `${key}=${s.value}`,
  );

  const commit = () => {
    const i = text.indexOf('=');
    if (i <= 0) return;
    onAdd(text.slice(0, i).trim(), text.slice(i + 1).trim());
    setText('');
  };
  return (
    <>
      <input
        class="tag-input"
        aria-label="Add tag filter (key=value)"
        placeholder="tag key=value"
        list="tag-suggestions"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          }
        }}
      />
      <datalist id="tag-suggestions">
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
    </>
  );
}
