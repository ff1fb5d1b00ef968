import type { ComponentChildren } from 'preact';
import { advice } from '../api/client';

/** Loading, error and empty states: each says what is happening and what to do next. */
export function Loading({ what }: { what: string }) {
  return (
    <div class="state" role="status" aria-live="polite">
      Loading {what}…
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <p>{advice(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state empty">{children}</div>;
}
