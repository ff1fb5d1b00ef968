import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  refetch: () => void;
}

/**
 * Loads `load()` whenever `key` changes; an answer to an outdated key is dropped, so a fast typist
 * never sees an older filter's rows. `refreshMs` re-runs it in the background (live refresh).
 */
export function useQuery<T>(key: string | null, load: () => Promise<T>, refreshMs?: number): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: key !== null,
  });
  const current = useRef(key);
  const loader = useRef(load);
  loader.current = load;
  const [tick, setTick] = useState(0);
  const refetch = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    current.current = key;
    if (key === null) return;
    setState((s) => ({ ...s, loading: true }));
    loader.current().then(
      (data) => {
        if (current.current === key) setState({ data, loading: false });
      },
      (error) => {
        if (current.current === key) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
  }, [key, tick]);

  useEffect(() => {
    if (!refreshMs || key === null) return;
    const timer = setInterval(refetch, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, key, refetch]);

  return { data: state.data, error: state.error, loading: state.loading, refetch };
}
