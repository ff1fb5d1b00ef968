import { useState } from 'preact/hooks';
import { advice, api, session } from '../api/client';

/**
 * Asks for an API key and checks it with one cheap search before keeping it. The key lives in
 * sessionStorage: gone when the tab closes, never in a URL.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main class="sign-in">
      <form
        aria-label="Sign in"
        onSubmit={async (e) => {
          e.preventDefault();
          const key = String(new FormData(e.currentTarget).get('key') ?? '').trim();
          if (!key)
            return setError('Paste an API key: `npm start` prints one, and `npm run keys` makes more.');
          setBusy(true);
          session.signIn(key);
          try {
            await api('POST', '/v2/search/traces', { limit: 1 });
            onSignedIn();
          } catch (err) {
            session.signOut();
            setError(advice(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1>Tracehouse</h1>
        <p>Sign in with an API key of your project. It is kept for this browser tab only.</p>
        <input
          name="key"
          type="password"
          aria-label="API key"
          placeholder="API key"
          autocomplete="off"
          autofocus
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {error && (
          <p class="note error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
