import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type Props = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
  value: string;
  /** Called when the user commits the text (Enter, Tab or leaving the field). */
  onCommit: (value: string) => void;
};

/**
 * A text field bound to a URL parameter. What the user types is kept locally until committed, so a
 * re-render (a live refresh, another filter changing) never wipes half-typed text.
 */
export function ParamInput({ value, onCommit, ...rest }: Props) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <input
      {...rest}
      value={text}
      onInput={(e) => setText(e.currentTarget.value)}
      onChange={(e) => onCommit(e.currentTarget.value)}
    />
  );
}
