/** Longer than this, a text is folded behind "show all" so one huge prompt does not bury the rest. */
const foldChars = 800;

/** Stored text that holds JSON is shown parsed; everything pretty-printed. */
export function pretty(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    const t = value.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return JSON.stringify(JSON.parse(t), null, 2);
      } catch {
        return value;
      }
    }
    return value;
  }
  return JSON.stringify(value, null, 2);
}

export function JsonView({ label, value }: { label: string; value: unknown }) {
  const text = pretty(value);
  if (text === '') return null;
  return (
    <div class="field">
      <h3>{label}</h3>
      {text.length > foldChars ? (
        <details class="fold">
          <summary>
            <pre>{text.slice(0, 300)}…</pre>
            <span class="more">show all {text.length.toLocaleString()} characters</span>
          </summary>
          <pre data-field={label.toLowerCase()}>{text}</pre>
        </details>
      ) : (
        <pre data-field={label.toLowerCase()}>{text}</pre>
      )}
    </div>
  );
}
