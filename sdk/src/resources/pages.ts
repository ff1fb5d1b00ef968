/** A page of search results and the cursor of the next one (null at the end). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Opper's wrapped lists. */
export interface List<T> {
  meta: { total_count: number };
  data: T[];
}

/** Walks cursor pages until the last one. */
export async function* pages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.data;
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
}
