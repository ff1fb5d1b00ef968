import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized, session } from './api/client';
import { filterQuery } from './filters/filter';
import { AlertsPage } from './pages/alerts';
import { DatasetPage, DatasetsPage } from './pages/datasets';
import { ExportPage } from './pages/export';
import { MetricsPage } from './pages/metrics';
import { SignIn } from './pages/sign-in';
import { TracePage } from './pages/trace';
import { TracesPage } from './pages/traces';
import { type Location, onLinkClick, useLocation } from './router';
import { Empty } from './ui/states';

/** `/metrics` belongs to Prometheus, so the metrics page lives at `/analytics`. */
const nav = [
  { href: '/traces', label: 'Traces', filters: true },
  { href: '/analytics', label: 'Metrics', filters: true },
  { href: '/alerts', label: 'Alerts', filters: false },
  { href: '/datasets', label: 'Datasets', filters: false },
  { href: '/export', label: 'Export', filters: true },
];

function Page({ loc }: { loc: Location }) {
  const { path, params } = loc;
  const trace = /^\/trace\/([0-9a-f-]{36})$/i.exec(path);
  if (trace) return <TracePage traceId={trace[1]!} params={params} />;
  const dataset = /^\/datasets\/([0-9a-f-]{36})$/i.exec(path);
  if (dataset) return <DatasetPage datasetId={dataset[1]!} />;
  if (path === '/' || path === '/traces') return <TracesPage params={params} />;
  if (path === '/analytics') return <MetricsPage params={params} />;
  if (path === '/alerts') return <AlertsPage params={params} />;
  if (path === '/datasets') return <DatasetsPage />;
  if (path === '/export') return <ExportPage params={params} />;
  return <Empty>No page at {path}. Use the links above.</Empty>;
}

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState(
    () =>
      localStorage.getItem('tracehouse.theme') ??
      (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('tracehouse.theme', theme);
  }, [theme]);
  return [theme, () => setTheme(theme === 'dark' ? 'light' : 'dark')];
}

export function App() {
  const loc = useLocation();
  const [signedIn, setSignedIn] = useState(() => session.key() !== null);
  const [theme, toggleTheme] = useTheme();
  useEffect(
    () =>
      onUnauthorized(() => {
        session.signOut();
        setSignedIn(false);
      }),
    [],
  );
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const current = loc.path === '/' ? '/traces' : loc.path.startsWith('/trace/') ? '/traces' : loc.path;
  return (
    <>
      <nav class="top" aria-label="Pages">
        <strong class="brand">Tracehouse</strong>
        {nav.map((n) => {
          const href = n.href + (n.filters ? filterQuery(loc.params) : '');
          return (
            <a
              key={n.href}
              href={href}
              aria-current={current.startsWith(n.href) ? 'page' : undefined}
              onClick={(e) => onLinkClick(e, href)}
            >
              {n.label}
            </a>
          );
        })}
        <span class="spacer" />
        <button type="button" onClick={toggleTheme} aria-label="Toggle light and dark">
          {theme === 'dark' ? '☀ light' : '☾ dark'}
        </button>
        <button
          type="button"
          onClick={() => {
            session.signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </nav>
      <main>
        <Page loc={loc} />
      </main>
    </>
  );
}
