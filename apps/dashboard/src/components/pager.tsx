// Cursor paging: the first page, or the next one after what is shown. Where the cursor is part of the URL (the jobs
// list), the browser's back button returns to earlier pages.
export function Pager({ onFirst, onNext, atFirst, nextCursor, shown }: { onFirst: () => void; onNext: (cursor: string) => void; atFirst: boolean; nextCursor: string | null | undefined; shown: number }) {
  return (
    <nav className="pager" aria-label="Pages">
      <span className="muted">{shown === 1 ? '1 row' : `${shown} rows`}{atFirst ? '' : ' (later page)'}</span>
      <button type="button" className="button button--small" onClick={onFirst} disabled={atFirst} data-testid="page-first">
        First page
      </button>
      <button type="button" className="button button--small" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor} data-testid="page-next">
        Next page
      </button>
    </nav>
  );
}
